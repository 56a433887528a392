"""A user's own in-app notifications and marking them read: one path for the API, the staff inbox and the
portal. Reading is not a lifecycle move: a timestamp on the reader's own rows, no history."""

from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from notifications.models import Notification


def own_notifications(user):
    """In-app rows addressed to the user; email rows are the outbox, not a message list."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def unread_count(user) -> int:
    return own_notifications(user).filter(read_at__isnull=True).count()


def unread_first(user):
    """The user's notifications, those still unread first, then newest first."""
    return own_notifications(user).order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def mark_read(notification: Notification) -> Notification:
    """Mark one of the user's notifications read; reading it again changes nothing."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; how many were."""
    return own_notifications(user).filter(read_at__isnull=True).update(read_at=timezone.now(), updated_at=Now())

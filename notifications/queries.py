"""A user's own in-app notifications, and marking them read: one definition for the staff inbox,
the portal and the API. Reading is not a lifecycle move: a timestamp on the reader's own row."""

from django.utils import timezone

from notifications.models import Notification


def own_notifications(user):
    """In-app rows addressed to the user; email rows are the outbox, not a message list."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def unread_count(user) -> int:
    return own_notifications(user).filter(read_at__isnull=True).count()


def mark_read(user, pk=None) -> int:
    """Mark one of the user's notifications read (`pk`), or all of them; reading again changes
    nothing. Returns how many rows were marked now."""
    unread = own_notifications(user).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver(self, notification_id: int) -> str:
    """Send one email row; idempotent: a row already sent (or failed for good) is skipped."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING)
            .select_related("recipient")
            .first()
        )
        if note is None:
            return "skipped"
        note.attempts += 1
        try:
            send_mail(note.subject, note.body + _link(note), settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        except Exception as exc:
            note.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if note.attempts >= MAX_ATTEMPTS:
                note.status = Notification.Status.FAILED
            note.save(update_fields=["attempts", "last_error", "status"])
            if note.status == Notification.Status.FAILED:
                return "failed"
            retry_exc = exc
        else:
            note.status, note.sent_at = Notification.Status.SENT, timezone.now()
            note.save(update_fields=["attempts", "status", "sent_at"])
            return "sent"
    raise self.retry(exc=retry_exc, countdown=min(2**note.attempts, 300))


def _link(note: Notification) -> str:
    return f"\n\n{settings.SITE_URL.rstrip('/')}{note.url}" if note.url else ""


@shared_task
def sweep_pending(older_than_seconds: int = 60) -> int:
    """Re-queue emails still pending: what a broker outage left behind is sent, once."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        deliver.delay(pk)
    return len(ids)


@shared_task
def send_reminders() -> int:
    from notifications.reminders import send_all

    return sum(send_all().values())

"""Email delivery and the periodic jobs of SPEC §6 (beat schedule in config/celery.py)."""

import hashlib
import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from notifications.models import Notification
from notifications.reminders import send_all

logger = logging.getLogger(__name__)
# A retry's message may arrive a hair before the time the row records; never call that early.
EARLY_TOLERANCE = timedelta(seconds=1)
# After a failed publish, requests stop trying for this long: with Redis hanging, only one
# request in this window pays the socket timeout; the sweeper sends what they left pending.
BROKER_PAUSE_SECONDS = 30.0


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def deliver(self, notification_id: int) -> str:
    """Send one pending email row, once.

    Idempotent: the row is locked while its mail goes out and only a `pending` row is sent, so a
    row queued twice (after-commit hook and sweeper, a redelivered message) is mailed once.
    The database, not Celery, counts attempts: a failure sets `last_error` and the time of the
    next try (doubling backoff); after NOTIFICATION_MAX_ATTEMPTS the row is `failed`.
    """
    outcome, retry_in = _attempt(notification_id)
    if retry_in is not None:
        # If the broker is down now, this raises and the row stays pending for the sweeper.
        raise self.retry(countdown=retry_in)
    return outcome


@shared_task(acks_late=True, ignore_result=True)
def deliver_many(notification_ids: list[int]) -> list[str]:
    """Send the pending email rows one transaction wrote: one broker message for all of them.

    Each row is tried as `deliver` tries it (idempotent, locked while its mail goes out); a row to
    try again later gets a `deliver` message of its own with the backoff as countdown, or, if the
    broker refuses that, stays pending for the sweeper.
    """
    outcomes = []
    for pk in notification_ids:
        outcome, retry_in = _attempt(pk)
        if retry_in is not None:
            try:
                deliver.apply_async((pk,), countdown=retry_in)
            except Exception:
                logger.warning("could not queue the retry of notification %s; the sweeper will", pk, exc_info=True)
        outcomes.append(outcome)
    return outcomes


def _attempt(notification_id: int) -> tuple[str, float | None]:
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING)
            .first()
        )
        if note is None:  # sent, failed for good, or being sent by another worker right now
            return "skipped", None
        now = timezone.now()
        if note.next_attempt_at and note.next_attempt_at > now + EARLY_TOLERANCE:
            return "not_due", None
        note.attempts += 1
        if not note.recipient.email:  # removed since the row was written: no try can succeed
            note.status, note.next_attempt_at = Notification.Status.FAILED, None
            note.last_error = "The recipient has no email address."
            note.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"])
            return "failed", None
        # The mail goes out under the row lock: that lock is what keeps a second worker off it.
        # EMAIL_TIMEOUT bounds how long it is held.
        message = EmailMessage(
            note.subject, note.body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email],
            headers={
                "Auto-Submitted": "auto-generated", "X-Reinforcements-Event": note.event,
                "X-Reinforcements-Notification": str(note.pk), "Message-ID": message_id(note.pk),
            },
        )  # fmt: skip
        try:
            message.send()
        except Exception as exc:
            note.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            retry_in = None
            if note.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                note.status, note.next_attempt_at = Notification.Status.FAILED, None
                logger.error("notification %s failed for good: %s", note.pk, note.last_error)
            else:
                retry_in = settings.NOTIFICATION_RETRY_BACKOFF * 2 ** (note.attempts - 1)
                note.next_attempt_at = now + timedelta(seconds=retry_in)
            note.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"])
            return ("failed" if retry_in is None else "retry"), retry_in
        note.status, note.sent_at, note.next_attempt_at = Notification.Status.SENT, timezone.now(), None
        note.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "updated_at"])
        return "sent", None


def message_id(notification_id: int) -> str:
    """The same Message-ID on every try of one row: should a mail ever go out twice (a worker killed after
    the mail server took it, before the row was marked sent), both copies carry one id, by which mail
    systems recognise the second. Named for the instance too (CELERY_INSTANCE), so two instances' rows
    of the same number never share one."""
    instance = hashlib.sha256(settings.CELERY_INSTANCE.encode()).hexdigest()[:12]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return f"<notification-{notification_id}.{instance}@{domain}>"


@shared_task(ignore_result=True)
def sweep_pending(older_than_seconds: float | None = None, limit: int = 1000) -> int:
    """Queue emails still pending some time after they were due: what a broker outage or a
    lost retry left behind is sent, and only once (see `deliver`)."""
    grace = settings.NOTIFICATION_SWEEP_AFTER if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            status=Notification.Status.PENDING,
            next_attempt_at__lte=now - timedelta(seconds=grace),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = []
    for pk in ids:
        try:
            deliver.delay(pk)
        except Exception:
            logger.warning("broker unreachable: %s pending notifications wait for the next sweep", len(ids))
            break
        queued.append(pk)
    # Not queued again before another grace period: a slow queue is not flooded with duplicates.
    Notification.objects.filter(pk__in=queued, status=Notification.Status.PENDING).update(
        next_attempt_at=now, updated_at=Now()
    )
    return len(queued)


def send_again(ids) -> int:
    """Give failed emails a fresh set of tries (admin action, once the mail server is fixed)."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=ids, channel=Notification.Channel.EMAIL, status=Notification.Status.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), updated_at=Now()
        )
        transaction.on_commit(lambda: queue_delivery(ids), robust=True)
    return len(ids)


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return len(send_all())


class _BrokerPause:
    until = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self) -> None:
        self.until = time.monotonic() + BROKER_PAUSE_SECONDS

    def reset(self) -> None:
        self.until = 0.0


broker_pause = _BrokerPause()


def queue_delivery(ids) -> int:
    """Hand emails to Celery in one message, never raising: if the broker refuses, they stay
    pending for the sweeper."""
    ids = list(ids)
    if not ids or broker_pause.active():
        return 0
    try:
        deliver_many.delay(ids)
    except Exception:
        broker_pause.start()
        logger.warning("could not queue notifications %s; the sweeper will send them", ids, exc_info=True)
        return 0
    return len(ids)

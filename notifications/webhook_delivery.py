"""Sending webhook deliveries: once each, retried with backoff, hooks that keep failing switched off.

A try is three steps, and no HTTP happens inside a transaction:
1. claim: lock the row (SKIP LOCKED), check it is `pending` and due, set it `sending` with a claim
   that lapses after the timeout and a margin, commit. A second worker, a redelivered message or
   the sweeper sees `sending` (or a locked row) and leaves it alone: it is never POSTed twice.
2. POST the body (a short timeout, no redirects followed, the host checked again).
3. record: `delivered`, or `pending` again with the next try's time (doubling backoff), or
   `failed` after WEBHOOK_MAX_ATTEMPTS. Each failed try counts against the hook; at
   WEBHOOK_DISABLE_AFTER in a row it is disabled and the coordinators are told (outbox.notify).

A worker killed between 1 and 3 leaves the row `sending`; once its claim lapses the sweeper hands it
back as `pending`. Whether that try reached the receiver is unknowable, so the receiver may then
see it twice, always with the same `X-Reinforcements-Delivery` id to drop the second one by.
Registered with Celery by NotificationsConfig.ready (the tasks module cannot import this one).
"""

import logging
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Webhook, WebhookDelivery
from notifications.outbox import coordinators, notify
from notifications.registry import STAFF, link_of
from notifications.tasks import EARLY_TOLERANCE
from notifications.webhooks import body_of, headers_of, unsafe_host

logger = logging.getLogger(__name__)


def claim_window() -> timedelta:
    """How long a claim holds: a try is over by then (the host check, then connecting, sending and
    reading the answer, each within WEBHOOK_TIMEOUT), so a row still `sending` after it belongs to a dead worker."""
    return timedelta(seconds=3 * settings.WEBHOOK_TIMEOUT + 10)


Status = WebhookDelivery.Status


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def deliver_webhook(self, delivery_id: int) -> str:
    """Try one delivery once (see the module). The database counts the attempts and holds the
    time of the next one; Celery only carries the wake-up."""
    outcome, retry_in = attempt(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return outcome


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> list[str]:
    """The deliveries one transaction wrote, in one message; a retry gets a message of its own."""
    outcomes = []
    for pk in delivery_ids:
        outcome, retry_in = attempt(pk)
        if retry_in is not None:
            try:
                deliver_webhook.apply_async((pk,), countdown=retry_in)
            except Exception:
                logger.warning("could not queue the retry of webhook delivery %s; the sweeper will", pk, exc_info=True)
        outcomes.append(outcome)
    return outcomes


@shared_task(ignore_result=True)
def sweep_webhooks(older_than_seconds: float | None = None, limit: int = 1000) -> int:
    """Hand back deliveries whose worker died mid-try, and queue those still pending some time after
    they were due (a broker outage, a lost retry). Each is still sent once (see `claim`)."""
    grace = settings.NOTIFICATION_SWEEP_AFTER if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        stale = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
            status=Status.SENDING, next_attempt_at__lte=now
        )
        for row in stale[:limit]:
            row.error = _("The worker stopped during this try; it is tried again.")
            row.status, row.next_attempt_at = Status.PENDING, now
            if row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                row.status, row.next_attempt_at = Status.FAILED, None
            row.save(update_fields=["status", "next_attempt_at", "error"])
    ids = list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=grace))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = []
    for pk in ids:
        try:
            deliver_webhook.delay(pk)
        except Exception:
            logger.warning("broker unreachable: %s pending webhook deliveries wait for the next sweep", len(ids))
            break
        queued.append(pk)
    WebhookDelivery.objects.filter(pk__in=queued, status=Status.PENDING).update(next_attempt_at=now)
    return len(queued)


def attempt(delivery_id: int) -> tuple[str, float | None]:
    """(outcome, seconds until the next try or None): claim, POST, record."""
    delivery, outcome = claim(delivery_id)
    if delivery is None:
        return outcome, None
    status_code, error = post(delivery)
    return record(delivery, status_code=status_code, error=error)


def claim(delivery_id: int) -> tuple[WebhookDelivery | None, str]:
    """pending (and due) -> sending, by one worker only. Returns the claimed row, or None and why."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status=Status.PENDING)
            .first()
        )
        if delivery is None:  # sent, failed for good, or claimed by another worker
            return None, "skipped"
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + EARLY_TOLERANCE:
            return None, "not_due"
        if not delivery.webhook.is_active:
            delivery.status, delivery.next_attempt_at = Status.FAILED, None
            delivery.error = _("The webhook is disabled.")
            delivery.save(update_fields=["status", "next_attempt_at", "error"])
            return None, "failed"
        delivery.status = Status.SENDING
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + claim_window()
        delivery.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
    return delivery, "claimed"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not a place to go: it could point anywhere (SSRF)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery: (status code or None, error or ""). Success is a 2xx answer."""
    url = delivery.webhook.url
    if not settings.WEBHOOK_ALLOW_INSECURE:
        parts = urlsplit(url)
        refused = _("Only https:// URLs are allowed.") if parts.scheme != "https" else unsafe_host(parts.hostname)
        if refused:
            return None, refused
    body = body_of(delivery)
    request = urllib.request.Request(url, data=body, headers=headers_of(delivery, body), method="POST")
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"[:2000]
    except Exception as exc:  # refused, timed out, TLS, DNS: all a failed try
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}"


def record(delivery: WebhookDelivery, *, status_code: int | None, error: str) -> tuple[str, float | None]:
    """sending -> delivered | pending (retry later) | failed, and the hook's failure count."""
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if row.status != Status.SENDING or row.attempts != delivery.attempts:
            return "skipped", None  # the claim lapsed and the sweeper handed the row back meanwhile
        now = timezone.now()
        row.status_code, row.error = status_code, error
        retry_in = None
        if not error:
            row.status, row.delivered_at, row.next_attempt_at = Status.DELIVERED, now, None
            hook.consecutive_failures = 0
            outcome = "delivered"
        else:
            hook.consecutive_failures += 1
            if row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                row.status, row.next_attempt_at = Status.FAILED, None
                outcome = "failed"
            else:
                retry_in = settings.WEBHOOK_RETRY_BACKOFF * 2 ** (row.attempts - 1)
                row.status, row.next_attempt_at = Status.PENDING, now + timedelta(seconds=retry_in)
                outcome = "retry"
            if hook.is_active and hook.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
                _disable(hook, error)
        row.save(update_fields=["status", "status_code", "error", "delivered_at", "next_attempt_at"])
        hook.save(update_fields=["consecutive_failures", "is_active", "disabled_reason", "updated_at"])
    return outcome, retry_in


def _disable(hook: Webhook, error: str) -> None:
    """enabled -> disabled after WEBHOOK_DISABLE_AFTER failed tries in a row; tells the coordinators."""
    hook.is_active = False
    hook.disabled_reason = _("Disabled after %(count)s failed deliveries in a row; the last: %(error)s") % {
        "count": hook.consecutive_failures,
        "error": error,
    }
    hook.disabled_reason = hook.disabled_reason[:300]
    notify(
        coordinators(), "webhook_disabled", hook, context={"failures": hook.consecutive_failures, "error": error},
        url=link_of(hook, STAFF),
    )  # fmt: skip
    logger.error("webhook %s disabled: %s", hook.pk, hook.disabled_reason)

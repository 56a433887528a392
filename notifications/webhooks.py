"""Webhooks (SPEC §12): what they listen to, who registers them, and the outbox rows they get.

A move writes its notifications and, through `outbox.notify_other_side`, one `WebhookDelivery` per
enabled hook that listens to the event, in the same transaction: a rollback leaves none, a commit
leaves every one. After the commit the rows go to Celery in one message; the POST, its retries and
the automatic disabling are in notifications.webhook_delivery.

What a receiver gets (README "Webhooks"): a JSON body {id, event, created_at, object: {type, id},
data} and the headers below; the signature is the hex HMAC-SHA256, keyed with the hook's secret,
of `<timestamp>.<raw body>`.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import is_staff_reader, require_coordinator
from notifications.after_commit import queue_after_commit
from notifications.models import Webhook, WebhookDelivery
from notifications.tasks import broker_pause

logger = logging.getLogger(__name__)

ALL = "*"
# The notification events a webhook can listen to, and the name it knows each by (SPEC §12 spells
# them `<object>.<move>`). Reminders and messages about the hooks themselves are for people only.
EVENTS = {
    "request_sent": "request.sent",
    "request_acknowledged": "request.acknowledged",
    "request_amended": "request.amended",
    "request_declined": "request.declined",
    "request_cancelled": "request.cancelled",
    "request_closed": "request.closed",
    "pledge_submitted": "pledge.submitted",
    "pledge_changes_requested": "pledge.changes_requested",
    "pledge_decided": "pledge.decided",
    "pledge_withdrawn": "pledge.withdrawn",
    "pledge_partly_withdrawn": "pledge.partly_withdrawn",
    "pledge_amended": "pledge.amended",
    "amendment_decided": "pledge.amendment_decided",
    "assignment_planned": "assignment.created",
    "assignment_moved": "assignment.moved",
    "assignment_confirmed": "assignment.confirmed",
    "assignment_started": "assignment.started",
    "assignment_completed": "assignment.completed",
    "assignment_cancelled": "assignment.cancelled",
}
WEBHOOK_EVENTS = sorted(EVENTS.values())
# Digests for people: hooks get one event per object instead (assignment.created for each day a bulk
# placement planned, assignment.cancelled for each assignment a withdrawal, an ended request or a bulk
# cancel cancelled).
PEOPLE_ONLY = {"assignments_planned", "request_assignments_cancelled", "assignments_cancelled"}

SIGNATURE_HEADER = "X-Reinforcements-Signature"
TIMESTAMP_HEADER = "X-Reinforcements-Timestamp"
DELIVERY_HEADER = "X-Reinforcements-Delivery"
EVENT_HEADER = "X-Reinforcements-Event"


def clean_events(events) -> list[str]:
    """The event names a hook listens to, checked against EVENTS: ["*"] alone, or known names."""
    if not isinstance(events, list) or not events or not all(isinstance(name, str) for name in events):
        raise ValidationError({"events": _('Give a list of event names, or ["*"] for all of them.')})
    unknown = sorted({name for name in events if name != ALL and name not in WEBHOOK_EVENTS})
    if unknown:
        raise ValidationError(
            {"events": _("Unknown events: %(names)s. Known: %(known)s, or \"*\".")
             % {"names": ", ".join(unknown), "known": ", ".join(WEBHOOK_EVENTS)}}
        )  # fmt: skip
    return [ALL] if ALL in events else sorted(set(events))


def clean_url(url: str) -> str:
    """An https URL whose host is a public address. Plain http and private, loopback or link-local
    hosts only with WEBHOOK_ALLOW_INSECURE (on by default with DEBUG): a hook must not let anyone
    make the server call into its own network. Checked again before each delivery (DNS changes)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"url": _("Enter an https:// URL.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Put no user name or password in the URL.")})
    if settings.WEBHOOK_ALLOW_INSECURE:
        return url
    if parts.scheme != "https":
        raise ValidationError({"url": _("Only https:// URLs are allowed.")})
    refused = unsafe_host(parts.hostname)
    if refused:
        raise ValidationError({"url": refused})
    return url


def unsafe_host(host: str) -> str:
    """Why a hook may not call `host` (empty when it may): every address it resolves to must be public."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return _("This host name does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return _("This URL points at a private or local address.")
    return ""


@transaction.atomic
def register_webhook(*, actor, url: str, events) -> Webhook:
    """A new enabled hook with a secret made here, by a coordinator. The caller shows the secret once."""
    require_coordinator(actor)
    hook = Webhook(url=clean_url(url), events=clean_events(events), created_by=actor)
    hook.secret = "whsec_" + secrets.token_hex(32)
    hook.save()
    return hook


@transaction.atomic
def change_webhook(webhook_id: int, *, actor, url=None, events=None, is_active=None) -> Webhook:
    """Change a hook's URL or events, disable or enable it, by a coordinator. Enabling starts the
    failure count again; deliveries due while it was disabled stay logged as failed."""
    require_coordinator(actor)
    hook = Webhook.objects.select_for_update().get(pk=webhook_id)
    if url is not None:
        hook.url = clean_url(url)
    if events is not None:
        hook.events = clean_events(events)
    if is_active is not None and is_active != hook.is_active:
        hook.is_active = is_active
        hook.consecutive_failures = 0
        hook.disabled_reason = "" if is_active else _("Disabled by %(name)s.") % {"name": actor.get_username()}
    hook.save()
    return hook


@transaction.atomic
def delete_webhook(webhook_id: int, *, actor) -> None:
    """Remove a hook and its delivery log, by a coordinator; what it still had pending is not sent."""
    require_coordinator(actor)
    Webhook.objects.filter(pk=webhook_id).delete()


def write_deliveries(event: str, obj, *, data: dict | None = None) -> list[WebhookDelivery]:
    """One pending delivery per enabled hook listening to `event` (a notification event), in the
    caller's transaction, handed to Celery once it commits. Events no hook can hear cost nothing."""
    return write_deliveries_for(event, [(obj, data)])


def write_deliveries_for(event: str, items) -> list[WebhookDelivery]:
    """`write_deliveries` for several objects of one move, (obj, data) pairs: one query for the hooks.
    Moves that tell people in a digest (a bulk placement, a cascade) still give hooks one event per object."""
    name = EVENTS.get(event)
    items = list(items)
    if name is None or not items:
        return []
    hooks = list(
        Webhook.objects.filter(is_active=True)
        .filter(Q(events__contains=[name]) | Q(events__contains=[ALL]))
        .values_list("pk", flat=True)
    )
    if not hooks:
        return []
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook_id=hook, event=name, payload=_payload(obj, data), created_at=now, next_attempt_at=now)
        for obj, data in items
        for hook in hooks
    )
    queue_after_commit([row.pk for row in rows], queue_deliveries)
    return rows


def _payload(obj, data) -> dict:
    facts = {name: getattr(obj, name) for name in ("status", "starts_at", "ends_at") if hasattr(obj, name)}
    return {"object": {"type": obj._meta.model_name, "id": obj.pk}, "data": _json_safe({**(data or {}), **facts})}


def iso_utc(value: datetime.datetime) -> str:
    """An instant as ISO 8601 in UTC, `Z` for the zone: 2024-07-26T06:00:00Z."""
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _json_safe(value):
    """The move's context as JSON: objects by their id, instants in ISO 8601, anything else unknown as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(item) for item in value]
    if isinstance(value, datetime.datetime):
        return iso_utc(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    return str(value)


def queue_deliveries(ids) -> int:
    """Hand deliveries to Celery in one message, never raising: if the broker refuses, they stay
    pending for the sweeper. By name: the task module imports this one (it tells coordinators
    through the outbox, which writes deliveries through this module)."""
    ids = list(ids)
    if not ids or broker_pause.active():
        return 0
    try:
        current_app.send_task("notifications.webhook_delivery.deliver_webhooks", args=(ids,))
    except Exception:
        broker_pause.start()
        logger.warning("could not queue webhook deliveries %s; the sweeper will send them", ids, exc_info=True)
        return 0
    return len(ids)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed for a delivery; the same on every try."""
    document = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": iso_utc(delivery.created_at),
        "object": delivery.payload["object"],
        "data": delivery.payload["data"],
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`, keyed with the hook's secret."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers_of(delivery: WebhookDelivery, body: bytes, *, now=None) -> dict[str, str]:
    timestamp = str(int((now or timezone.now()).timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Reinforcements-Webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.uuid),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(delivery.webhook.secret, timestamp, body),
    }


def visible_webhooks(user):
    """Ministry staff (coordinators and viewers) see every hook; anyone else none (a 404)."""
    return Webhook.objects.all() if is_staff_reader(user) else Webhook.objects.none()

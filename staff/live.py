"""The operations board's events (SPEC §12): what changed, told to every screen within 2 s.

After the commit of a transaction that saved or deleted an assignment, a need, a pledge or a request,
one small event per changed row is published for its operation, in Redis, twice:
- appended to a capped stream (`XADD ... MAXLEN ~ LIVE_KEEP`), whose id (`<ms>-<n>`) only grows: a board
  that reconnects sends the last id it saw (`Last-Event-ID`) and is given what it missed;
- published on the operation's pub/sub channel, which every web process's open streams listen to: any
  process's commit reaches every screen, whichever process serves it (fan-out through Redis).
Both keys carry the instance's prefix (CELERY_INSTANCE), so two instances on one Redis never mix.

Nothing is published for a rolled-back transaction: the events wait in an on_commit callback. Redis
being down never fails a write: the event is lost, the board's polling fallback still sees the data
version move (core.freshness). Lives in the staff face: it reads deployments, pledges and
reinforcements, which must not import a face (pyproject.toml's layers).
"""

import datetime as dt
import json
import logging

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from deployments.models import Assignment, Venue, VenueNeed
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest

log = logging.getLogger(__name__)

KINDS = {Assignment: "assignment", VenueNeed: "need", Pledge: "pledge", ReinforcementRequest: "request"}


def channel(operation_id: int) -> str:
    return f"{settings.CELERY_INSTANCE}:live:{operation_id}"


def stream_key(operation_id: int) -> str:
    return f"{settings.CELERY_INSTANCE}:live:{operation_id}:log"


_client = None


def client() -> redis.Redis:
    """One client per process (it pools its connections); short timeouts: a request never hangs on Redis."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2, decode_responses=True
        )
    return _client


class _Batch:
    """The changes of one transaction, published once it commits (its on_commit callback)."""

    def __init__(self):
        self.changes = {}

    def add(self, kind, instance, action):
        # Created then changed in one transaction is created; the pk is read now: a deleted instance
        # loses it once its delete is done.
        earlier = self.changes.get((kind, instance.pk))
        if earlier and earlier[3] == "created" and action == "changed":
            action = "created"
        self.changes[kind, instance.pk] = (kind, instance.pk, instance, action)

    def __call__(self):
        try:
            publish(events_of(self.changes.values()))
        except (redis.RedisError, OSError) as exc:  # the data is committed; only the push is lost
            log.warning("live board events not published: %s", exc)


def _pending_batch() -> _Batch | None:
    for _sids, func, _robust in getattr(connection, "run_on_commit", ()):
        if isinstance(func, _Batch):
            return func
    return None


def changed(sender, instance, **kwargs) -> None:
    """Receiver of post_save / post_delete of the watched models: keep the change for after the commit."""
    action = "deleted" if kwargs.get("signal") is post_delete else ("created" if kwargs.get("created") else "changed")
    batch = _pending_batch() if connection.in_atomic_block else None
    if batch is None:
        batch = _Batch()
        batch.add(KINDS[sender], instance, action)
        transaction.on_commit(batch, robust=True)  # outside a transaction: runs now
    else:
        batch.add(KINDS[sender], instance, action)


def events_of(changes) -> list[dict]:
    """One event per change, with its operation: two queries at most (venues not already held, requests)."""
    changes = list(changes)
    # A venue the change already holds (a placement's, a move's) is not read again.
    venues = {
        i.venue.pk: i.venue
        for kind, _pk, i, _a in changes
        if kind in ("assignment", "need") and type(i).venue.is_cached(i) and i.venue.pk == i.venue_id
    }
    venue_ids = {i.venue_id for kind, _pk, i, _a in changes if kind in ("assignment", "need")} - venues.keys()
    request_ids = {i.request_id for kind, _pk, i, _a in changes if kind == "pledge"}
    if venue_ids:
        venues |= {v.pk: v for v in Venue.objects.filter(pk__in=venue_ids).only("code", "operation_id")}
    requests = (
        {r.pk: r for r in ReinforcementRequest.objects.filter(pk__in=request_ids).only("country", "operation_id")}
        if request_ids
        else {}
    )
    at = timezone.now().isoformat()
    events = []
    for kind, pk, instance, action in changes:
        event = {"kind": kind, "pk": pk, "action": action, "at": at, "status": getattr(instance, "status", "")}
        if kind in ("assignment", "need"):
            venue = venues.get(instance.venue_id)
            if venue is None:  # deleted with its venue: no board shows it any more
                continue
            event["operation"], event["venue"] = venue.operation_id, venue.code
        elif kind == "pledge":
            request = requests.get(instance.request_id)
            if request is None:
                continue
            event["operation"], event["country"] = request.operation_id, request.country
        else:
            event["operation"], event["country"] = instance.operation_id, instance.country
        events.append(event)
    return events


# Each event is appended to its stream and published in one atomic step (a script runs alone), so the
# screens get events in the order of their ids, whichever process wrote them. Two steps (XADD, then
# PUBLISH) let another process's newer event come first: a board that then reconnected with that newer id
# lost the older one, which neither the catch-up (ids after it) nor the stream (ids after it) sends.
# KEYS: the stream of each event; ARGV: maxlen, ttl, then each event's channel and JSON (an object).
_APPEND_AND_PUBLISH = """
local ids = {}
for i, key in ipairs(KEYS) do
  local event = ARGV[2 + 2 * i]
  local id = redis.call('XADD', key, 'MAXLEN', '~', ARGV[1], '*', 'event', event)
  redis.call('EXPIRE', key, ARGV[2])
  redis.call('PUBLISH', ARGV[1 + 2 * i], '{"id": "' .. id .. '", ' .. string.sub(event, 2))
  ids[i] = id
end
return ids
"""
# A quiet operation's log goes away after a day: a board away that long reloads anyway.
LOG_TTL_SECONDS = 24 * 3600


def publish(events: list[dict]) -> list[str]:
    """Append each event to its operation's stream and tell the screens: one round trip. Returns the ids."""
    if not events:
        return []
    keys, args = [], [settings.LIVE_KEEP, LOG_TTL_SECONDS]
    for event in events:
        keys.append(stream_key(event["operation"]))
        args += [channel(event["operation"]), json.dumps(event)]
    r = client()
    return r.register_script(_APPEND_AND_PUBLISH)(keys=keys, args=args)


def recent(operation_id: int, count: int = 12) -> list[dict]:
    """The operation's last events, newest first (the board's feed); none when Redis is away."""
    try:
        entries = client().xrevrange(stream_key(operation_id), count=count)
    except (redis.RedisError, OSError) as exc:
        log.warning("live board feed unavailable: %s", exc)
        return []
    events = []
    for event_id, fields in entries:
        event = json.loads(fields["event"])
        event["id"] = event_id
        event["at"] = dt.datetime.fromisoformat(event["at"])
        events.append(event)
    return events


def id_key(event_id: str) -> tuple[int, int]:
    """A stream id as a number pair, to compare ids ("<ms>-<n>"); (0, 0) for anything else."""
    ms, _sep, n = (event_id or "").partition("-")
    try:
        return int(ms), int(n or 0)
    except ValueError:
        return 0, 0


def connect() -> None:
    for model in KINDS:
        label = model._meta.label
        post_save.connect(changed, sender=model, dispatch_uid=f"live-save-{label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"live-delete-{label}")

"""Per-process caching of figures computed over a whole operation (coverage, dashboard, conflicts).

A cached value is keyed by the data version: the PostgreSQL sequence `reinforcements_data_version`,
advanced after the commit of every transaction that saved or deleted a request, pledge, venue, need,
venue pair or assignment (or one of their lines and teams). Every status change goes through those saves (the
transitions), so no write is missed; a sequence is not transactional and never waits on a lock, so
concurrent writers do not queue on it. A reader that computed the old rows while a writer committed
stores them under the old version, which the bump leaves behind. A transaction with changes of its own
not yet committed never reads nor fills the cache: it computes from what it sees.

Values live in the default cache (per process, LocMem): nothing breaks when Redis is down. Reading the
version is one query; `FIGURES_CACHE_SECONDS` (default 300) bounds how long an entry may live whatever
happens (a process killed between a commit and its bump).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

SEQUENCE = "reinforcements_data_version"
WATCHED = (
    "reinforcements.ReinforcementRequest",
    "reinforcements.RequestLine",
    "reinforcements.Specialty",
    "pledges.Pledge",
    "pledges.PledgeLine",
    "pledges.K9Team",
    "deployments.Venue",
    "deployments.VenueNeed",
    "deployments.VenuePair",
    "deployments.Assignment",
)


def current_version() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT last_value FROM {SEQUENCE}")
        return cur.fetchone()[0]


def bump() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(%s)", [SEQUENCE])


def _bump_after_commit() -> None:
    bump()


def _changes_pending() -> bool:
    """Has this connection's open transaction changed watched rows (its bump still to come)?"""
    if not connection.in_atomic_block:
        return False
    return any(func is _bump_after_commit for _sids, func, _robust in getattr(connection, "run_on_commit", ()))


def data_changed(**_kwargs) -> None:
    """Receiver of post_save / post_delete of the watched models: bump once the change is visible."""
    if not connection.in_atomic_block:
        bump()
    elif not _changes_pending():
        transaction.on_commit(_bump_after_commit, robust=True)


def cached(name: str, *key, compute):
    """compute(), or its value from this process's cache if no watched row changed since."""
    seconds = getattr(settings, "FIGURES_CACHE_SECONDS", 300)
    if not seconds or _changes_pending():
        return compute()
    cache_key = ":".join(["figures", name, str(current_version()), *map(str, key)])
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(data_changed, sender=model, dispatch_uid=f"freshness-save-{label}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"freshness-delete-{label}")

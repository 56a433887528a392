"""A source's live assignments as one timeline in memory: what the capacity, duty, overlap, rest and
travel rules read (SPEC §5, §10).

A single placement fetches it with one query (`Timeline.between` its own start and end): the line's or
team's non-cancelled assignments within a day of the new one and, for a K9 team, the nearest one before
and after (rest, travel). A bulk placement fetches it once for its whole range and adds each day it
accepts (`add`): the rules judge day 30 knowing days 1–29, as if each had been saved. The source is
locked meanwhile (deployments.transitions.lock_source), so what was read cannot change under them.

An item is a row (start, end, officers, id, venue id), start and end as instants: seconds since the
epoch, real elapsed time whatever the clock does, sums of whole seconds exact. A rule that names the
other assignment in its message asks for it (`assignment`)."""

import bisect
import datetime as dt

from django.db import connection

from deployments.models import Venue

DAY = dt.timedelta(hours=24)
DAY_SECONDS = 86400.0

# The source's live assignments overlapping [lo, hi), read through the index of its column
# (assign_line_span_open, or the K9 exclusion constraint's: the id as their bigint), and for a K9 team
# the last one ending before the new one starts and the first starting after it ends. Raw SQL: read for
# every placement, it is not worth an ORM compilation each time. `{column}` is one of two fixed names.
_LIVE = """
SELECT EXTRACT(EPOCH FROM starts_at)::float8, EXTRACT(EPOCH FROM ends_at)::float8, quantity, id, venue_id
FROM deployments_assignment
WHERE {column} = %(source)s::bigint AND status <> 'cancelled' AND id <> %(exclude)s
  AND (TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(%(lo)s, %(hi)s, '[)') {nearest})
ORDER BY starts_at, id
"""
_NEAREST = """
    OR id = (SELECT id FROM deployments_assignment WHERE k9_team_id = %(source)s::bigint
             AND status <> 'cancelled' AND id <> %(exclude)s AND ends_at <= %(s)s ORDER BY ends_at DESC LIMIT 1)
    OR id = (SELECT id FROM deployments_assignment WHERE k9_team_id = %(source)s::bigint
             AND status <> 'cancelled' AND id <> %(exclude)s AND starts_at >= %(e)s ORDER BY starts_at LIMIT 1)
"""


def instant(value: dt.datetime) -> float:
    """An aware datetime as seconds since the epoch."""
    return value.timestamp()


class Live:
    """A live assignment that a rule's message names: made from its row when asked for."""

    __slots__ = ("_timeline", "end", "pk", "quantity", "start", "venue_id")

    def __init__(self, timeline, start, end, quantity, pk, venue_id):
        self._timeline, self.start, self.end = timeline, start, end
        self.quantity, self.pk, self.venue_id = quantity, pk, venue_id

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start, dt.UTC)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end, dt.UTC)

    @property
    def venue(self):
        return self._timeline.venue(self.venue_id)


class Timeline:
    """The live assignments of one line or team known over [lo, hi) (within a day of it, and for a team the
    nearest one on each side), sorted by start; `memo` keeps what a rule read once for the whole placement."""

    def __init__(self, source, lo, hi, rows=()):
        self.source, self.lo, self.hi = source, lo, hi
        self.memo, self._venues = {}, {}
        self._items = list(rows)  # in start order
        self._starts = [item[0] for item in self._items]
        self._longest = max((item[1] - item[0] for item in self._items), default=0.0)

    @classmethod
    def between(cls, source, starts_at, ends_at, *, exclude_id=None):
        """One query: the live assignments overlapping [starts_at - 24 h, ends_at + 24 h) (real hours), plus,
        for a K9 team, the last ending before starts_at and the first starting after ends_at."""
        is_team = source._meta.model_name == "k9team"
        sql = _LIVE.format(column="k9_team_id" if is_team else "pledge_line_id", nearest=_NEAREST if is_team else "")
        params = {
            "source": source.pk, "exclude": exclude_id or 0, "s": starts_at, "e": ends_at,
            "lo": starts_at.astimezone(dt.UTC) - DAY, "hi": ends_at.astimezone(dt.UTC) + DAY,
        }  # fmt: skip
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cls(source, starts_at, ends_at, cur.fetchall())

    def add(self, assignment) -> None:
        """One more live assignment of the source: a day a bulk placement accepted (unsaved, its venue known)."""
        self._venues.setdefault(assignment.venue_id, assignment.venue)
        start, end = instant(assignment.starts_at), instant(assignment.ends_at)
        at = bisect.bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._items.insert(at, (start, end, assignment.quantity, assignment.pk, assignment.venue_id, assignment))
        self._longest = max(self._longest, end - start)

    def assignment(self, item):
        """The assignment of an item, for a message: the one added, or one made from its row."""
        return item[5] if len(item) > 5 else Live(self, *item)

    def venue(self, venue_id):
        """A venue of the timeline's assignments; the first asked reads all of them (one query)."""
        if venue_id not in self._venues:
            wanted = {item[4] for item in self._items} | {venue_id}
            self._venues.update(Venue.objects.in_bulk(wanted - set(self._venues)))
        return self._venues[venue_id]

    def overlapping(self, lo: float, hi: float) -> list:
        """The items overlapping [lo, hi) (instants), by start."""
        first = bisect.bisect_left(self._starts, lo - self._longest)
        last = bisect.bisect_left(self._starts, hi)
        return [item for item in self._items[first:last] if item[1] > lo]

    def previous(self, at: dt.datetime):
        """The assignment ending last at or before `at`, or None."""
        at, best = instant(at), None
        for index in range(bisect.bisect_left(self._starts, at) - 1, -1, -1):
            item = self._items[index]
            if best is not None and item[0] + self._longest <= best[1]:
                break  # nothing starting earlier can end later
            if item[1] <= at and (best is None or item[1] > best[1]):
                best = item
        return self.assignment(best) if best else None

    def following(self, at: dt.datetime):
        """The assignment starting first at or after `at`, or None."""
        index = bisect.bisect_left(self._starts, instant(at))
        return self.assignment(self._items[index]) if index < len(self._items) else None

"""A source's live assignments as one timeline in memory: what the capacity, duty, overlap, rest and
travel rules read (SPEC §5, §10).

A single placement fetches it with one query (`Timeline.around`): the line's or team's non-cancelled
assignments within a day of the new one, and for a K9 team the nearest one before and after (rest,
travel). A bulk placement loads it once for its whole range (`Timeline.between`) and adds each day it
accepts (`add`): the rules judge day 30 knowing days 1–29, as if each had been saved. The source is
locked meanwhile (deployments.transitions.lock_source), so what was read cannot change under them.

Instants are read as seconds since the epoch (`instant`): real elapsed time, whatever the clock does,
and sums of whole seconds stay exact."""

import bisect
import datetime as dt

from django.contrib.postgres.fields import RangeBoundary
from django.db.models import BigIntegerField, FloatField, Q, Value
from django.db.models.functions import Cast, Extract

from deployments.models import Assignment, TsTzRange, Venue

DAY = dt.timedelta(hours=24)
DAY_SECONDS = 86400.0


def instant(value: dt.datetime) -> float:
    """An aware datetime as seconds since the epoch."""
    return value.timestamp()


def _epoch(field: str):
    """The instant as seconds since the epoch, read by the database (exact for whole seconds)."""
    return Cast(Extract(field, "epoch", tzinfo=dt.UTC), FloatField())


class Live:
    """A live assignment as the rules read it: a row, not a model instance (a bulk placement on a busy
    line reads ten thousand); its times and venue are made when a rule's message names it."""

    __slots__ = ("_timeline", "end", "pk", "quantity", "start", "venue_id")

    def __init__(self, timeline, pk, start, end, quantity, venue_id):
        self._timeline, self.pk, self.start, self.end = timeline, pk, start, end
        self.quantity, self.venue_id = quantity, venue_id

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
    """The live assignments of one line or team known to cover [lo, hi) (and, for a team, the nearest
    one on each side), sorted by start; `memo` keeps what a rule read once for the whole placement."""

    def __init__(self, source, lo, hi):
        self.source, self.lo, self.hi = source, lo, hi
        self.memo, self._venues = {}, {}
        self._starts, self._items, self._longest = [], [], 0.0

    @classmethod
    def between(cls, source, starts_at, ends_at, *, exclude_id=None):
        """One query: the live assignments overlapping [starts_at - 24 h, ends_at + 24 h), plus, for a K9 team,
        the last ending before starts_at and the first starting after ends_at."""
        is_team = source._meta.model_name == "k9team"
        # The id as a bigint, as the indexes hold it (an integer would leave them for the foreign key's).
        source_id = Cast(Value(source.pk), BigIntegerField())
        live = Assignment.objects.filter(**{"k9_team_id" if is_team else "pledge_line_id": source_id})
        live = live.exclude(status=Assignment.Status.CANCELLED).exclude(pk=exclude_id)
        # Written as the indexes are (assign_line_span_open, the K9 exclusion constraint's): an overlap search.
        lo, hi = starts_at.astimezone(dt.UTC) - DAY, ends_at.astimezone(dt.UTC) + DAY  # real hours, in UTC
        near = Q(span__overlap=(lo, hi))
        if is_team:
            before = live.filter(ends_at__lte=starts_at).order_by("-ends_at").values("pk")[:1]
            after = live.filter(starts_at__gte=ends_at).order_by("starts_at").values("pk")[:1]
            near |= Q(pk__in=before) | Q(pk__in=after)
        rows = (
            live.alias(span=TsTzRange("starts_at", "ends_at", RangeBoundary()))
            .filter(near)
            .order_by("starts_at", "pk")
            .values_list("pk", _epoch("starts_at"), _epoch("ends_at"), "quantity", "venue_id")
        )
        timeline = cls(source, starts_at, ends_at)
        for row in rows:
            timeline._append(Live(timeline, *row))
        return timeline

    def venue(self, venue_id):
        """A venue of the timeline's assignments; the first asked reads all of them (one query)."""
        if venue_id not in self._venues:
            wanted = {item[2].venue_id for item in self._items} | {venue_id}
            self._venues.update(Venue.objects.in_bulk(wanted - set(self._venues)))
        return self._venues[venue_id]

    def _append(self, live) -> None:  # rows come in start order
        self._starts.append((live.start, live.pk, id(live)))
        self._items.append((live.start, live.end, live))
        self._longest = max(self._longest, live.end - live.start)

    def add(self, assignment) -> None:
        """One more live assignment of the source: a day a bulk placement accepted (unsaved, its venue known)."""
        self._venues.setdefault(assignment.venue_id, assignment.venue)
        start, end = instant(assignment.starts_at), instant(assignment.ends_at)
        key = (start, assignment.pk or 0, id(assignment))
        at = bisect.bisect(self._starts, key)
        self._starts.insert(at, key)
        self._items.insert(at, (start, end, assignment))
        self._longest = max(self._longest, end - start)

    def overlapping(self, lo: float, hi: float) -> list:
        """(start, end, assignment) of those overlapping [lo, hi) (instants), by start (then id); start
        and end as instants."""
        first = bisect.bisect_left(self._starts, (lo - self._longest,))
        last = bisect.bisect_left(self._starts, (hi,))
        return [item for item in self._items[first:last] if item[1] > lo]

    def previous(self, at):
        """The one ending last at or before `at` (a datetime), or None."""
        at, best = instant(at), None
        for index in range(bisect.bisect_left(self._starts, (at,)) - 1, -1, -1):
            start, end, assignment = self._items[index]
            if best is not None and start + self._longest <= best[1]:
                break  # nothing starting earlier can end later
            if end <= at and (best is None or end > best[1]):
                best = (start, end, assignment)
        return best[2] if best else None

    def following(self, at):
        """The one starting first at or after `at` (a datetime), or None."""
        index = bisect.bisect_left(self._starts, (instant(at),))
        return self._items[index][2] if index < len(self._items) else None

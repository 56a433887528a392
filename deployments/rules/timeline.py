"""A source's live assignments as one timeline in memory: what the capacity, duty, overlap, rest and
travel rules read (SPEC §5, §10).

A single placement fetches it with one query (`Timeline.around`): the line's or team's non-cancelled
assignments within a day of the new one, and for a K9 team the nearest one before and after (rest,
travel). A bulk placement loads it once for its whole range (`Timeline.between`) and adds each day it
accepts (`add`): the rules judge day 30 knowing days 1–29, as if each had been saved. The source is
locked meanwhile (deployments.transitions.lock_source), so what was read cannot change under them.

Instants are compared and subtracted in UTC: real elapsed time, whatever the clock does."""

import bisect
import datetime as dt

from django.contrib.postgres.fields import RangeBoundary
from django.db.models import Q

from deployments.models import Assignment, TsTzRange

UTC = dt.UTC
DAY = dt.timedelta(hours=24)


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC)


class Timeline:
    """The live assignments of one line or team known to cover [lo, hi) (and, for a team, the nearest
    one on each side), sorted by start; `memo` keeps what a rule read once for the whole placement."""

    def __init__(self, source, lo, hi, assignments=()):
        self.source, self.lo, self.hi = source, lo, hi
        self.memo = {}
        self._starts, self._items, self._longest = [], [], dt.timedelta(0)
        for assignment in assignments:
            self.add(assignment)

    @classmethod
    def between(cls, source, starts_at, ends_at, *, exclude_id=None):
        """One query: the live assignments overlapping [starts_at - 24 h, ends_at + 24 h), plus, for a K9 team,
        the last ending before starts_at and the first starting after ends_at, with their venues."""
        is_team = source._meta.model_name == "k9team"
        live = Assignment.objects.filter(**{"k9_team_id" if is_team else "pledge_line_id": source.pk})
        live = live.exclude(status=Assignment.Status.CANCELLED).exclude(pk=exclude_id)
        # Written as the indexes are (assign_line_span_open, the K9 exclusion constraint's): an overlap search.
        near = Q(span__overlap=(starts_at - DAY, ends_at + DAY))
        if is_team:
            before = live.filter(ends_at__lte=starts_at).order_by("-ends_at").values("pk")[:1]
            after = live.filter(starts_at__gte=ends_at).order_by("starts_at").values("pk")[:1]
            near |= Q(pk__in=before) | Q(pk__in=after)
        span = TsTzRange("starts_at", "ends_at", RangeBoundary())
        rows = live.alias(span=span).filter(near).select_related("venue")
        return cls(source, starts_at, ends_at, rows)

    def add(self, assignment) -> None:
        """One more live assignment of the source (a day a bulk placement accepted)."""
        start, end = utc(assignment.starts_at), utc(assignment.ends_at)
        key = (start, assignment.pk or 0, id(assignment))
        at = bisect.bisect(self._starts, key)
        self._starts.insert(at, key)
        self._items.insert(at, (start, end, assignment))
        self._longest = max(self._longest, end - start)

    def overlapping(self, lo, hi) -> list:
        """(start, end, assignment) of those overlapping [lo, hi), by start (then id)."""
        lo, hi = utc(lo), utc(hi)
        first = bisect.bisect_left(self._starts, (lo - self._longest,))
        last = bisect.bisect_left(self._starts, (hi,))
        return [item for item in self._items[first:last] if item[1] > lo]

    def previous(self, at):
        """The one ending last at or before `at`, or None."""
        at, best = utc(at), None
        for index in range(bisect.bisect_left(self._starts, (at,)) - 1, -1, -1):
            start, end, assignment = self._items[index]
            if best is not None and start + self._longest <= best[1]:
                break  # nothing starting earlier can end later
            if end <= at and (best is None or end > best[1]):
                best = (start, end, assignment)
        return best[2] if best else None

    def following(self, at):
        """The one starting first at or after `at`, or None."""
        index = bisect.bisect_left(self._starts, (utc(at),))
        return self._items[index][2] if index < len(self._items) else None

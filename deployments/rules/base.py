"""What every placement rule reads (`Context`) and answers (`Breach`). A rule is a function
`(ctx) -> Breach | None`; its mode (refuse or warn) is the operation's, looked up by the code."""

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from deployments.rules.timeline import Timeline, instant
from pledges.models import K9Team
from reinforcements.rules import MODE_RULES, REFUSE


@dataclass(frozen=True)
class Breach:
    code: str
    message: str
    other_id: int | None = None  # the other assignment involved, if any

    def __str__(self):
        return self.message


@dataclass
class Context:
    """One placement being checked: `source` is the locked PledgeLine or K9Team (the lock serialises
    every placement of it, so what the rules read cannot change under them)."""

    source: object
    venue: object
    starts_at: dt.datetime
    ends_at: dt.datetime
    quantity: int | None = None
    exclude_id: int | None = None  # the assignment being moved
    # A bulk placement's timeline of the source, shared by its days (else fetched for this one alone).
    timeline: Timeline | None = None

    @cached_property
    def is_team(self) -> bool:
        return isinstance(self.source, K9Team)

    @cached_property
    def pledge(self):
        return self.source.pledge

    @cached_property
    def operation(self):
        return self.pledge.request.operation

    @cached_property
    def tz(self) -> str:
        return self.operation.timezone

    @cached_property
    def rules(self) -> dict:
        return self.operation.rule_set

    def mode(self, code: str) -> str:
        """refuse or warn: the operation's choice for the §10 rules, refuse for the §5 ones."""
        return self.rules["modes"].get(code, REFUSE) if code in MODE_RULES else REFUSE

    @cached_property
    def span(self) -> tuple[float, float]:
        """(start, end) as instants, seconds since the epoch: real elapsed time."""
        return instant(self.starts_at), instant(self.ends_at)

    @cached_property
    def live(self) -> Timeline:
        """The source's live assignments around this one: a bulk placement's shared timeline, or one query."""
        if self.timeline is not None:
            return self.timeline
        return Timeline.between(self.source, self.starts_at, self.ends_at, exclude_id=self.exclude_id)

    @cached_property
    def previous(self):
        """The source's live assignment ending last before this one starts (read for K9 teams)."""
        return self.live.previous(self.starts_at)

    @cached_property
    def following(self):
        """The source's live assignment starting first after this one ends (read for K9 teams)."""
        return self.live.following(self.ends_at)

    def memo(self, key, compute):
        """What a rule reads once for the whole placement (a bulk one: every day), e.g. the venue's needs."""
        memo = self.live.memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def neighbours(self):
        """(other assignment, gap) before and after this one, for a K9 team."""
        out = []
        if self.previous is not None:
            out.append((self.previous, _elapsed(self.previous.ends_at, self.starts_at)))
        if self.following is not None:
            out.append((self.following, _elapsed(self.ends_at, self.following.starts_at)))
        return out


def _elapsed(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    return dt.timedelta(seconds=instant(b) - instant(a))


def fmt(value: dt.datetime, tz: str) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def day_bounds(first: dt.date, last: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, last+1 00:00) in the operation's time zone: whole days, as people say them."""
    zone = zoneinfo.ZoneInfo(tz)
    return (
        dt.datetime.combine(first, dt.time.min, zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone),
    )


def describe(venue, starts_at, ends_at, tz: str) -> str:
    """The other assignment a message names: where and when."""
    return _("%(venue)s, %(s)s – %(e)s") % {"venue": venue, "s": fmt(starts_at, tz), "e": fmt(ends_at, tz)}


def minutes(delta: dt.timedelta) -> int:
    return math.floor(delta.total_seconds() / 60)


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius (6371 km)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))

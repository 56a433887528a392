"""SPEC §10 `duty_exceeded`: hours on duty in any 24 h — a K9 team's exactly, an officer line's as
officer-hours (officers × hours ≤ officers_accepted × max_duty_hours)."""

import bisect
from itertools import accumulate
from operator import mul, sub

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, describe
from deployments.rules.timeline import DAY_SECONDS as DAY


def _officer_time_before(spans):
    """F(t): the officer-seconds on duty before instant t over (start, end, officers) spans. It is
    piecewise linear: its slope, the officers on duty, changes at each start and end."""
    events = sorted([(s, q) for s, _e, q in spans] + [(e, -q) for _s, e, q in spans])
    times = [at for at, _delta in events]
    slopes = list(accumulate(delta for _at, delta in events))  # after each event
    values = list(accumulate(map(mul, map(sub, times[1:], times), slopes), initial=0))  # at each event

    def before(t):
        index = bisect.bisect_right(times, t) - 1
        return values[index] + (t - times[index]) * slopes[index] if index >= 0 else 0

    return before


def peak_load(ctx) -> tuple[float, float]:
    """(hours or officer-hours in the heaviest 24 h window holding part of the new assignment, that
    window's start).

    The load of a window sliding over the source's assignments is piecewise linear in its start, so its
    peak is where the window starts at an assignment's start or ends at an assignment's end: those are
    the only windows tried, each weighed as F(end) - F(start). Real elapsed time (instants in seconds): a
    12-hour shift across a clock change counts its real hours. Only the assignments within a day of the
    new one count."""
    s, e = ctx.span
    spans = [(a_s, a_e, q or 1) for a_s, a_e, q, *_ in ctx.live.overlapping(s - DAY, e + DAY)]  # a team's: 1
    spans.append((s, e, 1 if ctx.is_team else ctx.quantity))
    before = _officer_time_before(spans)
    windows = {w for a_s, a_e, _q in spans for w in (a_s, a_e - DAY) if w < e and w + DAY > s}
    load, w = max((before(w + DAY) - before(w), w) for w in windows)
    return load / 3600, w


def _heaviest_other(ctx, w: float):
    """The other assignment weighing most in the window starting at w, or None."""
    inside = ctx.live.overlapping(w, w + DAY)
    heaviest = max(inside, key=lambda item: min(item[1], w + DAY) - max(item[0], w)) if inside else None
    return ctx.live.assignment(heaviest) if heaviest else None


def check_duty(ctx) -> Breach | None:
    limit_hours = ctx.rules["max_duty_hours"]
    cap = limit_hours if ctx.is_team else limit_hours * ctx.source.officers_accepted
    load, window = peak_load(ctx)
    if load <= cap + 1e-6:
        return None
    other = _heaviest_other(ctx, window)
    values = {"load": f"{load:g}", "max": f"{limit_hours:g}", "cap": f"{cap:g}"}
    if ctx.is_team:
        text = _("This would put %(team)s on duty %(load)s hours in 24 hours; at most %(max)s.")
        values["team"] = ctx.source
    else:
        text = _("This would put %(load)s officer-hours of this line in 24 hours; at most %(cap)s "
                 "(accepted officers × %(max)s hours).")  # fmt: skip
    message = text % values
    if other is not None:
        message += " " + _("With: %(other)s.") % {
            "other": describe(other.venue, other.starts_at, other.ends_at, ctx.tz)
        }
    return Breach(RuleViolation.DUTY, message, other_id=other.pk if other is not None else None)

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach


def peak_at_once(items, lo: float, hi: float) -> int:
    """The most officers of timeline items (start, end, officers, …) on duty at one instant of [lo, hi): a
    running sum over the starts (or the window's start) and the ends inside it; an end and a start at the
    same instant do not overlap."""
    steps = sorted([(max(s, lo), q) for s, _e, q, *_ in items] + [(e, -q) for _s, e, q, *_ in items if e < hi])
    peak = load = 0
    for index, (at, delta) in enumerate(steps):
        load += delta
        if index + 1 == len(steps) or steps[index + 1][0] != at:  # every step of one instant counted
            peak = max(peak, load)
    return peak


def check_capacity(ctx) -> Breach | None:
    """SPEC §5: a line's officers on duty at once never exceed its accepted officers."""
    if ctx.is_team:
        return None
    line = ctx.source
    peak = peak_at_once(ctx.live.overlapping(*ctx.span), *ctx.span)
    if peak + ctx.quantity <= line.officers_accepted:
        return None
    return Breach(
        RuleViolation.CAPACITY,
        _("Only %(free)s of the %(n)s accepted officers of this line are free at that time; %(q)s asked.")
        % {"free": max(line.officers_accepted - peak, 0), "n": line.officers_accepted, "q": ctx.quantity},
    )

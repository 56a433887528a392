"""SPEC §10 `rest_too_short`: two consecutive assignments of a K9 team are one duty (a break of at
most max_break_minutes) or separated by a rest of at least min_rest_hours."""

import datetime as dt

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, describe


def rest_breached(gap: dt.timedelta, rules: dict) -> bool:
    return dt.timedelta(minutes=rules["max_break_minutes"]) < gap < dt.timedelta(hours=rules["min_rest_hours"])


def check_rest(ctx) -> Breach | None:
    if not ctx.is_team:
        return None
    for other, gap in ctx.neighbours():
        if rest_breached(gap, ctx.rules):
            return Breach(
                RuleViolation.REST,
                _("%(team)s would rest only %(gap)s between duties (at least %(rest)s hours, or a break of at "
                  "most %(brk)s minutes within one duty). The other assignment: %(other)s.")
                % {"team": ctx.source, "gap": _gap(gap), "rest": f"{ctx.rules['min_rest_hours']:g}",
                   "brk": ctx.rules["max_break_minutes"],
                   "other": describe(other.venue, other.starts_at, other.ends_at, ctx.tz)},
                other_id=other.pk,
            )  # fmt: skip
    return None


def _gap(gap: dt.timedelta) -> str:
    total = int(gap.total_seconds() // 60)
    return f"{total // 60}h{total % 60:02d}"

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.queries import line_peak_load
from deployments.rules.base import Breach


def check_capacity(ctx) -> Breach | None:
    """SPEC §5: a line's officers on duty at once never exceed its accepted officers."""
    if ctx.is_team:
        return None
    line = ctx.source
    peak = line_peak_load(line.pk, ctx.starts_at, ctx.ends_at, exclude_id=ctx.exclude_id)
    if peak + ctx.quantity <= line.officers_accepted:
        return None
    return Breach(
        RuleViolation.CAPACITY,
        _("Only %(free)s of the %(n)s accepted officers of this line are free at that time; %(q)s asked.")
        % {"free": max(line.officers_accepted - peak, 0), "n": line.officers_accepted, "q": ctx.quantity},
    )

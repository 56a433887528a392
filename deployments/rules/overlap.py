from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, fmt


def check_overlap(ctx) -> Breach | None:
    """SPEC §5: a K9 team is in one place at a time. The exclusion constraint holds it too; this
    names the other assignment (the first to start)."""
    if not ctx.is_team:
        return None
    clashes = ctx.live.overlapping(*ctx.span)
    if not clashes:
        return None
    clash = ctx.live.assignment(clashes[0])
    return Breach(
        RuleViolation.OVERLAP,
        _("%(team)s is already assigned from %(s)s to %(e)s at %(venue)s.")
        % {
            "team": ctx.source,
            "s": fmt(clash.starts_at, ctx.tz),
            "e": fmt(clash.ends_at, ctx.tz),
            "venue": clash.venue,
        },
        other_id=clash.pk,
    )

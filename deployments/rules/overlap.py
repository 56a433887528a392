from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.rules.base import Breach, fmt


def check_overlap(ctx) -> Breach | None:
    """SPEC §5: a K9 team is in one place at a time. The exclusion constraint holds it too; this
    names the other assignment."""
    if not ctx.is_team:
        return None
    clash = (
        Assignment.objects.filter(k9_team=ctx.source, starts_at__lt=ctx.ends_at, ends_at__gt=ctx.starts_at)
        .exclude(status=Assignment.Status.CANCELLED)
        .exclude(pk=ctx.exclude_id)
        .select_related("venue")
        .first()
    )
    if clash is None:
        return None
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

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, day_bounds


def check_availability(ctx) -> Breach | None:
    """SPEC §5: inside the line's or team's availability."""
    source = ctx.source
    start, end = day_bounds(source.available_from, source.available_to, ctx.tz)
    if start <= ctx.starts_at and ctx.ends_at <= end:
        return None
    return Breach(
        RuleViolation.AVAILABILITY,
        _("%(who)s is available from %(s)s to %(e)s only.")
        % {"who": source, "s": source.available_from, "e": source.available_to},
    )

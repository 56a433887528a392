from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, day_bounds


def check_certification(ctx) -> Breach | None:
    """SPEC §5, §10: a K9 team's certification is valid until the assignment ends (through its last day)."""
    if not ctx.is_team:
        return None
    expires = ctx.source.certification_expires_on
    _start, valid_until = day_bounds(expires, expires, ctx.tz)
    if ctx.ends_at <= valid_until:
        return None
    return Breach(
        RuleViolation.CERTIFICATION,
        _("%(team)s's certification expires on %(d)s, before the assignment ends.")
        % {"team": ctx.source, "d": expires},
    )

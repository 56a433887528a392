from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach
from pledges.models import Pledge


def check_accepted(ctx) -> Breach | None:
    """SPEC §5: only accepted capacity of an accepted or partially accepted pledge."""
    accepted = ctx.source.accepted if ctx.is_team else ctx.source.officers_accepted > 0
    if ctx.pledge.status in Pledge.ACCEPTED_STATUSES and accepted:
        return None
    return Breach(
        RuleViolation.NOT_ACCEPTED,
        _("Only accepted capacity can be assigned: this %(what)s was not accepted.")
        % {"what": _("K9 team") if ctx.is_team else _("officer line")},
    )

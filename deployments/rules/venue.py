from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach


def check_venue(ctx) -> Breach | None:
    """SPEC §5: the venue belongs to the same operation."""
    if ctx.venue.operation_id == ctx.operation.pk:
        return None
    return Breach(RuleViolation.VENUE, _("The venue belongs to another operation."))

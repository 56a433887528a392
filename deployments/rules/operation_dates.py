from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach, day_bounds


def check_operation_dates(ctx) -> Breach | None:
    """SPEC §5: inside the operation's dates (whole days in its time zone)."""
    operation = ctx.operation
    start, end = day_bounds(operation.starts_on, operation.ends_on, ctx.tz)
    if start <= ctx.starts_at and ctx.ends_at <= end:
        return None
    return Breach(
        RuleViolation.OPERATION_DATES,
        _("The operation runs from %(s)s to %(e)s; the assignment must fit inside.")
        % {"s": operation.starts_on, "e": operation.ends_on},
    )

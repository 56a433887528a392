"""The placement rules, in the order they are checked: the §5 ones first (always refused), then the
§10 ones, each refused or warned as the operation says. A new rule is one module and one line here."""

from core.errors import RuleViolation
from deployments.rules.accepted import check_accepted
from deployments.rules.availability import check_availability
from deployments.rules.base import Breach, Context
from deployments.rules.capacity import check_capacity
from deployments.rules.certification import check_certification
from deployments.rules.duty import check_duty
from deployments.rules.needs import check_need_requirements
from deployments.rules.operation_dates import check_operation_dates
from deployments.rules.overlap import check_overlap
from deployments.rules.readiness import check_k9_ready
from deployments.rules.rest import check_rest
from deployments.rules.travel import check_travel
from deployments.rules.venue import check_venue
from reinforcements.rules import WARN

RULES = [
    check_accepted,
    check_venue,
    check_operation_dates,
    check_availability,
    check_certification,
    check_k9_ready,
    check_overlap,
    check_capacity,
    check_duty,
    check_rest,
    check_travel,
    check_need_requirements,
]


def run(ctx: Context, rules=None) -> list[Breach]:
    """Check a placement: raise RuleViolation (409, the rule's code) at the first refused breach;
    return the warned ones (the placement goes ahead and they show as conflicts)."""
    warnings = []
    for rule in rules if rules is not None else RULES:
        breach = rule(ctx)
        if breach is None:
            continue
        if ctx.mode(breach.code) == WARN:
            warnings.append(breach)
        else:
            raise RuleViolation(breach.message, code=breach.code)
    return warnings

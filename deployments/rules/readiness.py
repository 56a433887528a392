"""K9 border readiness at placement (SPEC §3, §10 `k9_not_ready`): one rule, one function."""

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.rules.base import Breach


def check_k9_ready(ctx) -> Breach | None:
    """A K9 team whose border papers are incomplete, or an assignment starting before the day (in the
    operation's time zone) the dog may cross."""
    if not ctx.is_team:
        return None
    team, starts_at = ctx.source, ctx.starts_at
    missing = team.readiness
    if missing:
        return Breach(
            RuleViolation.K9_NOT_READY,
            _("%(team)s is not ready for the border: missing %(missing)s.")
            % {"team": team, "missing": ", ".join(missing)},
        )
    zone = zoneinfo.ZoneInfo(team.pledge.request.operation.timezone)
    ready_from = team.ready_from
    if starts_at < dt.datetime.combine(ready_from, dt.time.min, zone):
        return Breach(
            RuleViolation.K9_NOT_READY,
            _("%(team)s may cross the border from %(d)s only (21 days after the rabies vaccination).")
            % {"team": team, "d": ready_from},
        )
    return None

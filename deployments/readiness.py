"""K9 border readiness at placement (SPEC §3, §10 `k9_not_ready`): one rule, one function."""

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from core.errors import RuleViolation


def check_k9_ready(team, starts_at: dt.datetime) -> None:
    """Refuse a K9 team whose border papers are incomplete, or an assignment starting before the
    day (in the operation's time zone) the dog may cross. `team` comes with its operation loaded."""
    missing = team.readiness
    if missing:
        raise RuleViolation(
            _("%(team)s is not ready for the border: missing %(missing)s.")
            % {"team": team, "missing": ", ".join(missing)},
            code=RuleViolation.K9_NOT_READY,
        )
    zone = zoneinfo.ZoneInfo(team.pledge.request.operation.timezone)
    ready_from = team.ready_from
    if starts_at < dt.datetime.combine(ready_from, dt.time.min, zone):
        raise RuleViolation(
            _("%(team)s may cross the border from %(d)s only (21 days after the rabies vaccination).")
            % {"team": team, "d": ready_from},
            code=RuleViolation.K9_NOT_READY,
        )

"""SPEC §10 `duty_exceeded`: hours on duty in any 24 h — a K9 team's exactly, an officer line's as
officer-hours (officers × hours ≤ officers_accepted × max_duty_hours)."""

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.rules.base import Breach, describe

DAY = dt.timedelta(hours=24)

# The heaviest 24 h window that holds part of the new assignment. The load of a window sliding over
# the source's assignments is piecewise linear in its start, so its peak is where the window starts
# at an assignment's start or ends at an assignment's end: those are the only windows tried. Real
# elapsed time (timestamptz arithmetic): a 12-hour shift across a clock change counts its real hours.
# The source's live assignments are read through the index of its column (assign_line_span_open, or
# the K9 exclusion constraint's), only those within a day of the new one. `{column}` is one of two
# fixed names, never input.
_PEAK_SQL = """
WITH live AS (
    SELECT id, starts_at AS s, ends_at AS e, COALESCE(quantity, 1) AS q FROM deployments_assignment
    WHERE {column} = %(source)s::bigint AND status <> 'cancelled' AND id <> %(exclude)s
      AND TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(%(lo)s, %(hi)s, '[)')
    UNION ALL
    SELECT 0, %(s)s::timestamptz, %(e)s::timestamptz, %(q)s
), win AS (
    SELECT DISTINCT w FROM (SELECT s AS w FROM live UNION ALL SELECT e - INTERVAL '24 hours' FROM live) c
    WHERE w < %(e)s AND w + INTERVAL '24 hours' > %(s)s
)
SELECT w, SUM(q * EXTRACT(EPOCH FROM LEAST(e, w + INTERVAL '24 hours') - GREATEST(s, w))) / 3600.0 AS load,
       (ARRAY_AGG(id ORDER BY (id = 0), LEAST(e, w + INTERVAL '24 hours') - GREATEST(s, w) DESC))[1] AS other
FROM win JOIN live ON s < w + INTERVAL '24 hours' AND e > w
GROUP BY w ORDER BY load DESC LIMIT 1
"""


def peak_load(ctx) -> tuple[float, int | None]:
    """(hours or officer-hours in the heaviest 24 h window with the new assignment, the other assignment
    weighing most in it, or None)."""
    column = "k9_team_id" if ctx.is_team else "pledge_line_id"
    with connection.cursor() as cur:
        cur.execute(_PEAK_SQL.format(column=column), {
            "source": ctx.source.pk, "exclude": ctx.exclude_id or 0, "s": ctx.starts_at, "e": ctx.ends_at,
            "lo": ctx.starts_at - DAY, "hi": ctx.ends_at + DAY, "q": 1 if ctx.is_team else ctx.quantity,
        })  # fmt: skip
        _w, load, other = cur.fetchone()
    return float(load), (other or None)


def check_duty(ctx) -> Breach | None:
    limit_hours = ctx.rules["max_duty_hours"]
    cap = limit_hours if ctx.is_team else limit_hours * ctx.source.officers_accepted
    load, other_id = peak_load(ctx)
    if load <= cap + 1e-6:
        return None
    other = Assignment.objects.select_related("venue").filter(pk=other_id).first() if other_id else None
    values = {"load": f"{load:g}", "max": f"{limit_hours:g}", "cap": f"{cap:g}"}
    if ctx.is_team:
        text = _("This would put %(team)s on duty %(load)s hours in 24 hours; at most %(max)s.")
        values["team"] = ctx.source
    else:
        text = _("This would put %(load)s officer-hours of this line in 24 hours; at most %(cap)s "
                 "(accepted officers × %(max)s hours).")  # fmt: skip
    message = text % values
    if other is not None:
        message += " " + _("With: %(other)s.") % {
            "other": describe(other.venue, other.starts_at, other.ends_at, ctx.tz)
        }
    return Breach(RuleViolation.DUTY, message, other_id=other_id)

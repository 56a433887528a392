"""A proposal's placements checked all at once (SPEC §10, deployments.proposals): inserted together in a
savepoint that the caller rolls back, then judged set-wise by the rules' own SQL — the conflicts of
deployments.conflicts (duty, rest, travel, certification, K9 readiness, what the covered needs ask) and a
line's officers at its busiest instant (capacity) — instead of one rule-engine placement each. Applying a
proposal still places each assignment through the rule engine (transitions)."""

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from core import freshness
from core.errors import RuleViolation
from deployments.conflicts import conflicts
from deployments.models import Assignment
from pledges.models import K9Team, PledgeLine
from reinforcements.rules import MODE_RULES, REFUSE

# The new line assignments that share an instant at which their line has more officers on duty than accepted.
_CAPACITY_SQL = """
WITH new AS (
    SELECT DISTINCT pledge_line_id FROM deployments_assignment WHERE id = ANY(%(ids)s::bigint[])
), steps AS (
    SELECT a.pledge_line_id AS line, x.t, SUM(x.d) AS d
    FROM deployments_assignment a
    CROSS JOIN LATERAL (VALUES (a.starts_at, a.quantity), (a.ends_at, -a.quantity)) AS x(t, d)
    WHERE a.pledge_line_id IN (SELECT pledge_line_id FROM new) AND a.status <> 'cancelled'
    GROUP BY 1, 2
), loads AS (
    SELECT line, t, LEAD(t) OVER w AS next_t, SUM(d) OVER w AS load
    FROM steps WINDOW w AS (PARTITION BY line ORDER BY t)
), over AS (
    SELECT o.line, o.t, o.next_t FROM loads o JOIN pledges_pledgeline l ON l.id = o.line
    WHERE o.load > l.officers_accepted
)
SELECT DISTINCT a.id FROM deployments_assignment a JOIN over o ON o.line = a.pledge_line_id
WHERE a.id = ANY(%(ids)s::bigint[]) AND a.starts_at < COALESCE(o.next_t, 'infinity') AND a.ends_at > o.t
"""


def insert(actor, placements: list[dict], role: str) -> list[Assignment]:
    """The placements as planned assignments, in one statement (no rule checked: see `refused`)."""
    lines = PledgeLine.objects.in_bulk([p["source"] for p in placements if p["kind"] == "line"])
    teams = K9Team.objects.in_bulk([p["source"] for p in placements if p["kind"] == "team"])
    rows = []
    for p in placements:
        line, team = (lines[p["source"]], None) if p["kind"] == "line" else (None, teams[p["source"]])
        rows.append(Assignment(
            pledge_id=(line or team).pledge_id, pledge_line=line, k9_team=team, quantity=p["quantity"],
            venue_id=p["venue_id"], starts_at=dt.datetime.fromisoformat(p["starts_at"]),
            ends_at=dt.datetime.fromisoformat(p["ends_at"]), role=role, created_by=actor,
        ))  # fmt: skip
    made = Assignment.objects.bulk_create(rows)
    freshness.data_changed()  # no post_save from a bulk insert: cached figures must not answer for this transaction
    return made


def refused(operation, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Of the assignments `ids` (just inserted), those a rule in `refuse` mode would have refused:
    {id: (rule code, message)}."""
    if not ids:
        return {}
    rules = operation.rule_set

    def refuses(code):
        return rules["modes"].get(code, REFUSE) == REFUSE if code in MODE_RULES else True

    new, out = set(ids), {}
    lines = set(Assignment.objects.filter(pk__in=ids, pledge_line__isnull=False).values_list("pledge_line", flat=True))
    teams = set(Assignment.objects.filter(pk__in=ids, k9_team__isnull=False).values_list("k9_team", flat=True))
    for conflict in conflicts(operation, teams=teams, lines=lines):
        mine = [x["id"] for x in (conflict.assignment, conflict.other) if x and x["id"] in new]
        if mine and refuses(conflict.rule):
            out.setdefault(mine[0], (conflict.rule, conflict.detail))
    with connection.cursor() as cur:
        cur.execute(_CAPACITY_SQL, {"ids": ids})
        for (pk,) in cur.fetchall():
            out.setdefault(pk, (RuleViolation.CAPACITY, str(_("More officers of this line at once than accepted."))))
    return out

"""SPEC §5 checked over a whole seeded operation, and foreign keys checked set-wise after a load.

Capacity goes through the app's own query (deployments.queries.line_peak_load) line by line; a K9
team's overlap is the database's exclusion constraint, which holds during COPY too. The rules the app
checks one placement at a time in Python (deployments.transitions) are checked here set-wise in SQL.
"""

import datetime as dt

from django.db import connection

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.queries import line_peak_load
from pledges.models import Pledge, PledgeLine
from reinforcements.models import Operation

_COVERED_NEEDS = """
        SELECT COUNT(DISTINCT a.id) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
        LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
        LEFT JOIN reinforcements_specialty ks ON ks.code = 'k9_' || t.detection
        JOIN deployments_venueneed n ON n.venue_id = a.venue_id AND n.specialty_id = COALESCE(l.specialty_id, ks.id)
          AND n.starts_at < a.ends_at AND n.ends_at > a.starts_at
        WHERE v.operation_id = %(op)s AND a.status <> %(cancelled)s"""
# Named by the app's own refusal codes; each query returns the number of offending assignments.
RULE_CHECKS = {
    RuleViolation.NOT_ACCEPTED: """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN pledges_pledge p ON p.id = a.pledge_id
        LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
        LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND (
            p.status <> ALL(%(accepted)s)
            OR (l.id IS NOT NULL AND (l.officers_accepted = 0 OR l.pledge_id <> a.pledge_id))
            OR (t.id IS NOT NULL AND (NOT t.accepted OR t.pledge_id <> a.pledge_id)))
    """,
    RuleViolation.AVAILABILITY: """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
        LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND (
            a.starts_at < (COALESCE(l.available_from, t.available_from)::timestamp AT TIME ZONE o.timezone)
            OR a.ends_at > ((COALESCE(l.available_to, t.available_to) + 1)::timestamp AT TIME ZONE o.timezone))
    """,
    RuleViolation.OPERATION_DATES: """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        JOIN pledges_pledge p ON p.id = a.pledge_id
        JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
        WHERE v.operation_id = %(op)s AND (
            r.operation_id <> o.id OR a.starts_at >= a.ends_at
            OR a.starts_at < (o.starts_on::timestamp AT TIME ZONE o.timezone)
            OR a.ends_at > ((o.ends_on + 1)::timestamp AT TIME ZONE o.timezone))
    """,
    RuleViolation.CERTIFICATION: """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND a.status <> %(cancelled)s
          AND a.ends_at > ((t.certification_expires_on + 1)::timestamp AT TIME ZONE o.timezone)
    """,
    # The needs a live assignment covers (its venue and specialty, overlapping it: deployments.requirements).
    RuleViolation.LANGUAGE: f"""
        {_COVERED_NEEDS}
          AND cardinality(n.languages) > 0 AND NOT COALESCE(l.languages && n.languages, false)
    """,
    RuleViolation.LEGAL_STATUS: f"""
        {_COVERED_NEEDS}
          AND (n.legal_status <> COALESCE(l.legal_status, t.legal_status) OR n.armed <> COALESCE(l.armed, t.armed))
    """,
}


_FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.conrelid::regclass::text = ANY(%s)
"""


def foreign_key_orphans(tables: list[str]) -> dict[str, int]:
    """Rows of these tables whose single-column foreign key points at no row, per constraint."""
    out = {}
    with connection.cursor() as cur:
        cur.execute(_FOREIGN_KEYS_SQL, [tables])
        for table, column, target, target_column in cur.fetchall():
            cur.execute(
                f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
            )
            n = cur.fetchone()[0]
            if n:
                out[f"{table}.{column}"] = n
    return out


def rule_violations(operation_id: int) -> dict[str, int]:
    params = {"op": operation_id, "cancelled": Assignment.Status.CANCELLED, "accepted": list(Pledge.ACCEPTED_STATUSES)}
    with connection.cursor() as cur:
        out = {RuleViolation.CAPACITY: _lines_over_capacity(operation_id)}
        for name, sql in RULE_CHECKS.items():
            cur.execute(sql, params)
            out[name] = cur.fetchone()[0]
        return out


def _lines_over_capacity(operation_id: int) -> int:
    """Lines with more officers on duty at some instant than were accepted. The window only has to
    hold every assignment: a day either side of the operation's dates, whatever its time zone."""
    operation = Operation.objects.get(pk=operation_id)
    starts = dt.datetime.combine(operation.starts_on - dt.timedelta(days=1), dt.time.min, dt.UTC)
    ends = dt.datetime.combine(operation.ends_on + dt.timedelta(days=2), dt.time.min, dt.UTC)
    lines = PledgeLine.objects.filter(pledge__request__operation=operation, assignments__isnull=False).distinct()
    return sum(
        line_peak_load(pk, starts, ends) > accepted for pk, accepted in lines.values_list("pk", "officers_accepted")
    )

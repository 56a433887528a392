"""What if (SPEC §10) in SQL: the assignments and needs as some changes would leave them, for the one cover
query (queries.need_coverage) to read in place of the tables, and the duty those changes take away.

A change is given as `cuts`, (kind, id, instant or None) with kind 'pledge', 'line' or 'team', and
`quantities`, {need id: new quantity}."""

from django.db import connection


def what_if_params(cuts, quantities) -> dict:
    cuts, quantities = list(cuts or ()), dict(quantities or {})
    return {
        "cut_kinds": [kind for kind, _id, _at in cuts], "cut_ids": [id_ for _kind, id_, _at in cuts],
        "cut_ats": [at for _kind, _id, at in cuts],
        **{f"cut_{kind}s": sorted({id_ for k, id_, _at in cuts if k == kind}) for kind in ("pledge", "line", "team")},
        "need_ids": list(quantities), "need_quantities": list(quantities.values()),
    }  # fmt: skip


# What if (SPEC §10): the assignments and needs as they would be after some changes, read in place of the
# tables by the same cover query. A cut (kind 'pledge', 'line' or 'team', the id, an instant or NULL for
# all of it) ends each live assignment of that pledge, line or team at the instant: one straddling it keeps
# its part before, one starting at or after it is gone. Several cuts of one assignment: the earliest holds.
# A need's new quantity replaces its own. Nothing is written: a question takes no lock and fires nothing.
CUTS = """cuts AS (
    SELECT c.kind, c.id, COALESCE(c.at, '-infinity') AS at
    FROM unnest(%(cut_kinds)s::text[], %(cut_ids)s::bigint[], %(cut_ats)s::timestamptz[]) AS c(kind, id, at)
), cut_by AS (
    SELECT kind, id, MIN(at) AS at FROM cuts GROUP BY kind, id
),"""
# The cuts reaching an assignment `a` (its pledge's, its line's, its team's), joined after CUTS; the
# earliest of them is CUT_AT (NULL when none reaches it).
CUT_JOINS = """LEFT JOIN cut_by cp ON cp.kind = 'pledge' AND cp.id = a.pledge_id
    LEFT JOIN cut_by cl ON cl.kind = 'line' AND cl.id = a.pledge_line_id
    LEFT JOIN cut_by ct ON ct.kind = 'team' AND ct.id = a.k9_team_id"""
CUT_AT = "LEAST(cp.at, cl.at, ct.at)"
# The assignments no cut reaches are read as they are (a filter on the three columns, no join), and only those
# of a cut pledge, line or team (read through their indexes) are joined to the cuts and shortened: one join
# over the whole table made every what-if slower than the plain cover query by half.
ASSIGNMENTS_AFTER = f"""(
    SELECT a.id, a.venue_id, a.pledge_id, a.pledge_line_id, a.k9_team_id, a.quantity, a.status, a.starts_at, a.ends_at
    FROM deployments_assignment a
    WHERE a.pledge_id <> ALL(%(cut_pledges)s::bigint[])
      AND (a.pledge_line_id IS NULL OR a.pledge_line_id <> ALL(%(cut_lines)s::bigint[]))
      AND (a.k9_team_id IS NULL OR a.k9_team_id <> ALL(%(cut_teams)s::bigint[]))
    UNION ALL
    SELECT a.id, a.venue_id, a.pledge_id, a.pledge_line_id, a.k9_team_id, a.quantity, a.status, a.starts_at,
           LEAST(a.ends_at, {CUT_AT}) AS ends_at
    FROM deployments_assignment a
    {CUT_JOINS}
    WHERE (a.pledge_id = ANY(%(cut_pledges)s::bigint[]) OR a.pledge_line_id = ANY(%(cut_lines)s::bigint[])
           OR a.k9_team_id = ANY(%(cut_teams)s::bigint[]))
      AND LEAST(a.ends_at, {CUT_AT}) > a.starts_at
)"""
NEEDS_AFTER = """(
    SELECT n.id, n.venue_id, n.specialty_id, n.starts_at, n.ends_at, COALESCE(q.quantity, n.quantity) AS quantity,
           n.languages
    FROM deployments_venueneed n
    LEFT JOIN unnest(%(need_ids)s::bigint[], %(need_quantities)s::int[]) AS q(id, quantity) ON q.id = n.id
)"""
# The duty a what-if's cuts (CUTS) take away: live assignments of the operation that a cut reaches before
# they end — lost whole when the cut is at or before their start, shortened when it falls inside — and the
# officer-hours from the cut to their end (a K9 team counts one).
_LOST_DUTY_SQL = f"""
WITH {CUTS} lost AS (
    SELECT a.starts_at, a.ends_at, COALESCE(a.quantity, 1) AS n,
           GREATEST(a.starts_at, {CUT_AT}) AS cut_at
    FROM deployments_assignment a
    JOIN deployments_venue v ON v.id = a.venue_id AND v.operation_id = %(operation)s
    {CUT_JOINS}
    WHERE a.status <> 'cancelled' AND {CUT_AT} < a.ends_at
      AND (a.pledge_id = ANY(%(cut_pledges)s::bigint[]) OR a.pledge_line_id = ANY(%(cut_lines)s::bigint[])
           OR a.k9_team_id = ANY(%(cut_teams)s::bigint[]))
)
SELECT (COUNT(*) FILTER (WHERE cut_at <= starts_at))::int, (COUNT(*) FILTER (WHERE cut_at > starts_at))::int,
       COALESCE(SUM(n * EXTRACT(EPOCH FROM ends_at - cut_at)) / 3600, 0)::float
FROM lost
"""


def lost_duty(operation_id: int, cuts) -> dict:
    """What `cuts` (as need_coverage's) take from the operation's live assignments: assignments_lost (whole),
    assignments_cut (shortened) and officer_hours_lost (a K9 team counts one)."""
    with connection.cursor() as cur:
        cur.execute(_LOST_DUTY_SQL, {"operation": operation_id, **what_if_params(cuts, {})})
        lost, cut, hours = cur.fetchone()
    return {"assignments_lost": lost, "assignments_cut": cut, "officer_hours_lost": round(hours, 1)}

"""Read helpers for deployments: capacity in SQL."""

from django.db import connection

from core import freshness
from core.roles import is_staff_reader, liaison_country
from deployments.models import Assignment, Venue, VenueNeed
from reinforcements.queries import visible_operations

# The peak number of officers of one line on duty at any instant of [starts_at, ends_at), as a running
# sum: +quantity where a live assignment starts (or at the window's start if it began before), -quantity
# where it ends inside the window. Summing over the peers of each instant (RANGE) reads the load at that
# instant — an end and a start at the same instant do not overlap — and the peak is the largest of those
# sums. One sort of the line's assignments in the window: O(n log n), not one sum per start.
# The overlap test is written as the index assign_line_span_open is (and the line id as its bigint):
# it reads the assignments in the window, not all the line ever had.
_LINE_PEAK_SQL = """
WITH live AS (
    SELECT starts_at, ends_at, quantity FROM deployments_assignment
    WHERE pledge_line_id = %(line)s::bigint AND status <> 'cancelled' AND id <> %(exclude)s
      AND TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(%(starts)s, %(ends)s, '[)')
), steps AS (
    SELECT GREATEST(starts_at, %(starts)s::timestamptz) AS t, quantity AS delta FROM live
    UNION ALL
    SELECT ends_at, -quantity FROM live WHERE ends_at < %(ends)s
)
SELECT COALESCE(MAX(load), 0)::int FROM (
    SELECT SUM(delta) OVER (ORDER BY t RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS load FROM steps
) loads
"""


def line_peak_load(line_id: int, starts_at, ends_at, *, exclude_id: int | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(_LINE_PEAK_SQL, {"line": line_id, "starts": starts_at, "ends": ends_at, "exclude": exclude_id or 0})
        return cur.fetchone()[0]


def visible_venues(user):
    return Venue.objects.filter(operation__in=visible_operations(user))


def visible_needs(user):
    return VenueNeed.objects.filter(venue__in=visible_venues(user))


def visible_assignments(user):
    qs = Assignment.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    return qs.filter(pledge__request__country=country) if country else qs.none()


# Coverage (SPEC §7). `%(country)s` is NULL for ministry staff, the liaison's country otherwise:
# a liaison's coverage counts their own contingent only.
#
# requested: request lines of requests that were sent (not draft, not cancelled);
# pledged:   officers offered and teams in pledges that reached the ministry (not draft, not withdrawn);
# accepted:  officers accepted and teams accepted in accepted or partially accepted pledges;
# assigned:  per officer line the peak number of its officers on duty at once (how many of them the
#            plan uses: a running sum over its assignments' starts and ends), per K9 team 1 if it has
#            any live assignment.
# K9 teams count under the canine specialty `k9_<detection>`. GROUPING SETS gives both
# breakdowns in one pass; `by_country` is GROUPING(country) = 0.
_COVERAGE_TOTALS_SQL = """
WITH reqs AS (
    SELECT id, country FROM reinforcements_reinforcementrequest
    WHERE operation_id = %(op)s AND status NOT IN ('draft', 'cancelled')
      AND (%(country)s::text IS NULL OR country = %(country)s)
), pledged AS (
    SELECT p.id, p.status IN ('accepted', 'partially_accepted') AS is_accepted, r.country
    FROM pledges_pledge p JOIN reqs r ON r.id = p.request_id
    WHERE p.status NOT IN ('draft', 'withdrawn')
), line_steps AS (
    -- a line's load changes where one of its assignments starts (+) or ends (-): one row per instant
    SELECT a.pledge_line_id AS line_id, x.t, SUM(x.delta) AS delta
    FROM deployments_assignment a
    CROSS JOIN LATERAL (VALUES (a.starts_at, a.quantity), (a.ends_at, -a.quantity)) AS x(t, delta)
    WHERE a.pledge_id IN (SELECT id FROM pledged) AND a.pledge_line_id IS NOT NULL AND a.status <> 'cancelled'
    GROUP BY 1, 2
), line_peaks AS (
    -- the running sum of those changes is the load from each instant on; its largest value is the peak
    SELECT line_id, MAX(load) AS load FROM (
        SELECT line_id, SUM(delta) OVER (PARTITION BY line_id ORDER BY t) AS load FROM line_steps
    ) loads GROUP BY line_id
), contributions AS (
    SELECT r.country, s.code AS specialty, rl.quantity AS requested, 0 AS pledged, 0 AS accepted, 0 AS assigned
    FROM reqs r
    JOIN reinforcements_requestline rl ON rl.request_id = r.id
    JOIN reinforcements_specialty s ON s.id = rl.specialty_id
    UNION ALL
    SELECT p.country, s.code, 0, l.officers_offered,
           CASE WHEN p.is_accepted THEN l.officers_accepted ELSE 0 END,
           COALESCE(peak.load, 0)
    FROM pledged p
    JOIN pledges_pledgeline l ON l.pledge_id = p.id
    JOIN reinforcements_specialty s ON s.id = l.specialty_id
    LEFT JOIN line_peaks peak ON peak.line_id = l.id
    UNION ALL
    SELECT p.country, 'k9_' || t.detection, 0, 1,
           CASE WHEN p.is_accepted AND t.accepted THEN 1 ELSE 0 END,
           CASE WHEN EXISTS (
               SELECT 1 FROM deployments_assignment a WHERE a.k9_team_id = t.id AND a.status <> 'cancelled'
           ) THEN 1 ELSE 0 END
    FROM pledged p
    JOIN pledges_k9team t ON t.pledge_id = p.id
)
SELECT GROUPING(country) = 0 AS by_country, COALESCE(country, specialty) AS key,
       SUM(requested)::int, SUM(pledged)::int, SUM(accepted)::int, SUM(assigned)::int
FROM contributions
GROUP BY GROUPING SETS ((country), (specialty))
ORDER BY 1 DESC, 2
"""

# A need's `assigned` is the smallest number on duty at any instant of its window. Per venue and
# specialty, the load is a step function: a running sum of +n at every start and -n at every end gives
# the load on each segment [t, next_t) between two such instants (and 0 before the first one, the
# '-infinity' segment). The minimum over a need's window is the smallest load of the segments that
# meet it: one sort of the assignments and a hash join, not a sum per instant. Officers count their
# quantity, a K9 team counts 1.
# From a CTE `live` (venue_id, specialty_id, starts_at, ends_at, n): the step function per venue and
# specialty, as segments [t, next_t) with their load. Shared by coverage() and coverage_grid().
_LOAD_SEGMENTS_CTE = """steps AS (
    SELECT live.venue_id, live.specialty_id, x.t, SUM(SUM(x.delta)) OVER w AS load, LEAD(x.t) OVER w AS next_t
    FROM live CROSS JOIN LATERAL (VALUES (live.starts_at, live.n), (live.ends_at, -live.n)) AS x(t, delta)
    GROUP BY live.venue_id, live.specialty_id, x.t
    WINDOW w AS (PARTITION BY live.venue_id, live.specialty_id ORDER BY x.t)
), segments AS (
    SELECT venue_id, specialty_id, t, next_t, load FROM steps
    UNION ALL
    SELECT venue_id, specialty_id, '-infinity', MIN(t), 0 FROM steps GROUP BY venue_id, specialty_id
)"""
# The segments that meet need `n`'s window; MIN(g.load) over them is the need's `assigned`.
_MEETS_SEGMENTS = """LEFT JOIN segments g ON g.venue_id = n.venue_id AND g.specialty_id = n.specialty_id
                    AND g.t < n.ends_at AND (g.next_t IS NULL OR g.next_t > n.starts_at)"""
_COVERAGE_NEEDS_SQL = f"""
WITH live AS (
    SELECT a.venue_id, COALESCE(l.specialty_id, ks.id) AS specialty_id, a.starts_at, a.ends_at,
           COALESCE(a.quantity, 1) AS n
    FROM deployments_assignment a
    JOIN deployments_venue v ON v.id = a.venue_id
    JOIN pledges_pledge p ON p.id = a.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
    LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    LEFT JOIN reinforcements_specialty ks ON ks.code = 'k9_' || t.detection
    WHERE v.operation_id = %(op)s AND a.status <> 'cancelled'
      AND (%(country)s::text IS NULL OR r.country = %(country)s)
), {_LOAD_SEGMENTS_CTE}
SELECT v.code, s.code, n.starts_at, n.ends_at, n.quantity, COALESCE(MIN(g.load), 0)::int AS assigned
FROM deployments_venueneed n
JOIN deployments_venue v ON v.id = n.venue_id
JOIN reinforcements_specialty s ON s.id = n.specialty_id
{_MEETS_SEGMENTS}
WHERE v.operation_id = %(op)s
GROUP BY n.id, v.code, s.code, n.starts_at, n.ends_at, n.quantity
ORDER BY v.code, n.starts_at, s.code, n.id
"""

_COUNTS = ("requested", "pledged", "accepted", "assigned")


def coverage(operation, user) -> dict:
    """SPEC §7 coverage of one operation, as the user may see it (the caller checks the operation
    is visible). Two queries, whatever the size of the operation (the API caches its answer)."""
    country = None if is_staff_reader(user) else liaison_country(user)
    params = {"op": operation.pk, "country": country}
    by_country, by_specialty, by_venue = [], [], []
    with connection.cursor() as cur:
        cur.execute(_COVERAGE_TOTALS_SQL, params)
        for is_country, key, *counts in cur.fetchall():
            if is_country:
                by_country.append({"country": key, **dict(zip(_COUNTS, counts, strict=True))})
            else:
                by_specialty.append({"specialty": key, **dict(zip(_COUNTS, counts, strict=True))})
        cur.execute(_COVERAGE_NEEDS_SQL, params)
        for venue, specialty, starts_at, ends_at, needed, assigned in cur.fetchall():
            by_venue.append(
                {"venue": venue, "specialty": specialty, "starts_at": starts_at, "ends_at": ends_at,
                 "needed": needed, "assigned": assigned}
            )  # fmt: skip
    return {"operation": operation.code, "by_country": by_country, "by_specialty": by_specialty, "by_venue": by_venue}


# Need vs assigned for every need of an operation (optionally one venue, one window): `assigned` is the
# smallest number of that specialty on duty at the venue at any instant of the need's window, so a gap
# of an hour is not averaged away. The step function of _LOAD_SEGMENTS_CTE (running sums over starts and
# ends). A K9 team counts for the canine specialty named after its detection (k9_explosives...).
_COVERAGE_GRID_SQL = f"""
WITH needs AS (
    SELECT n.id, n.venue_id, n.specialty_id, n.starts_at, n.ends_at, n.quantity
    FROM deployments_venueneed n JOIN deployments_venue v ON v.id = n.venue_id
    WHERE v.operation_id = %(operation)s
      AND (%(venue)s::bigint IS NULL OR n.venue_id = %(venue)s)
      AND (%(starts)s::timestamptz IS NULL OR n.ends_at > %(starts)s)
      AND (%(ends)s::timestamptz IS NULL OR n.starts_at < %(ends)s)
), live AS (
    -- only assignments that meet the span of those needs can count in one of them
    SELECT a.venue_id, a.starts_at, a.ends_at, COALESCE(a.quantity, 1) AS n,
           COALESCE(pl.specialty_id, ks.id) AS specialty_id
    FROM deployments_assignment a
    LEFT JOIN pledges_pledgeline pl ON pl.id = a.pledge_line_id
    LEFT JOIN pledges_k9team k ON k.id = a.k9_team_id
    LEFT JOIN reinforcements_specialty ks ON ks.code = 'k9_' || k.detection
    WHERE a.status <> 'cancelled' AND a.venue_id IN (SELECT venue_id FROM needs)
      AND a.ends_at > (SELECT MIN(starts_at) FROM needs) AND a.starts_at < (SELECT MAX(ends_at) FROM needs)
), {_LOAD_SEGMENTS_CTE}
SELECT n.id, n.venue_id, n.specialty_id, n.starts_at, n.ends_at, n.quantity, COALESCE(MIN(g.load), 0)::int AS assigned
FROM needs n
{_MEETS_SEGMENTS}
GROUP BY n.id, n.venue_id, n.specialty_id, n.starts_at, n.ends_at, n.quantity
ORDER BY n.venue_id, n.starts_at, n.specialty_id
"""


def coverage_grid(operation_id: int, *, venue_id=None, starts=None, ends=None) -> list[dict]:
    """One dict per need: id, venue_id, specialty_id, starts_at, ends_at, quantity (needed), assigned.
    Cached until the data changes."""
    params = {"operation": operation_id, "venue": venue_id, "starts": starts, "ends": ends}

    def compute():
        with connection.cursor() as cur:
            cur.execute(_COVERAGE_GRID_SQL, params)
            columns = [c.name for c in cur.description]
            return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]

    key = [operation_id, venue_id, starts and starts.isoformat(), ends and ends.isoformat()]
    return freshness.cached("grid", *key, compute=compute)


# Accepted officer lines available on a day, with how many of their officers are free during the whole
# window: accepted minus the line's peak load inside it (the running sum of _LINE_PEAK_SQL, per line).
# The day's live assignments are found by overlap on the index assign_line_span_open.
_PLANNER_LINES_SQL = """
WITH lines AS (
    SELECT pl.id, pl.officers_accepted, pl.specialty_id, r.country FROM pledges_pledgeline pl
    JOIN pledges_pledge p ON p.id = pl.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(operation)s AND p.status IN ('accepted', 'partially_accepted')
      AND pl.officers_accepted > 0 AND pl.available_from <= %(day)s AND pl.available_to >= %(day)s
), live AS (
    SELECT a.pledge_line_id AS line_id, a.starts_at, a.ends_at, a.quantity FROM deployments_assignment a
    WHERE tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(%(starts)s, %(ends)s, '[)')
      AND a.status <> 'cancelled' AND a.pledge_line_id IS NOT NULL
      AND a.pledge_line_id IN (SELECT id FROM lines)
), steps AS (
    SELECT line_id, GREATEST(starts_at, %(starts)s::timestamptz) AS t, quantity AS delta FROM live
    UNION ALL
    SELECT line_id, ends_at, -quantity FROM live WHERE ends_at < %(ends)s
), peaks AS (
    SELECT line_id, MAX(load) AS peak FROM (
        SELECT line_id, SUM(delta) OVER (PARTITION BY line_id ORDER BY t RANGE UNBOUNDED PRECEDING) AS load FROM steps
    ) loads GROUP BY line_id
)
SELECT lines.id, lines.country, lines.specialty_id, lines.officers_accepted,
       (lines.officers_accepted - COALESCE(peaks.peak, 0))::int AS free
FROM lines LEFT JOIN peaks ON peaks.line_id = lines.id
"""


def planner_lines(operation_id: int, day, starts, ends) -> list[dict]:
    """Accepted officer lines available on `day`, as dicts: id, country, specialty_id, officers_accepted
    and `free`, the officers not assigned anywhere at any moment of [starts, ends)."""
    with connection.cursor() as cur:
        cur.execute(_PLANNER_LINES_SQL, {"operation": operation_id, "day": day, "starts": starts, "ends": ends})
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


# Accepted K9 teams available and certified on a day, the first `limit` of those matching the filters,
# with how many match in all and, per team, the live assignments of the day (the exclusion constraint's
# index serves the overlap). `search` matches the handler or the dog; `countries` lists country codes.
_PLANNER_TEAMS_SQL = """
SELECT s.*, b.busy_from, b.busy_to FROM (
    SELECT t.id, t.handler_name, t.dog_name, t.detection, r.country, COUNT(*) OVER () AS total
    FROM pledges_k9team t
    JOIN pledges_pledge p ON p.id = t.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(operation)s AND p.status IN ('accepted', 'partially_accepted') AND t.accepted
      AND t.available_from <= %(day)s AND t.available_to >= %(day)s AND t.certification_expires_on >= %(day)s
      AND (%(detection)s::text IS NULL OR t.detection = %(detection)s)
      AND (%(ids)s::bigint[] IS NULL OR t.id = ANY(%(ids)s::bigint[]))
      AND (%(search)s::text IS NULL OR r.country = ANY(%(countries)s::text[])
           OR strpos(lower(t.handler_name), lower(%(search)s)) > 0 OR strpos(lower(t.dog_name), lower(%(search)s)) > 0)
    ORDER BY r.country, t.handler_name, t.id
    LIMIT %(limit)s
) s
LEFT JOIN LATERAL (
    SELECT array_agg(a.starts_at ORDER BY a.starts_at) AS busy_from, array_agg(a.ends_at ORDER BY a.starts_at) AS busy_to
    FROM deployments_assignment a
    WHERE a.k9_team_id = s.id AND a.status <> 'cancelled'
      AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(%(starts)s, %(ends)s, '[)')
) b ON true
ORDER BY s.country, s.handler_name, s.id
"""


def planner_teams(
    operation_id: int, day, starts, ends, *, detection=None, search="", countries=(), ids=None, limit=None
) -> tuple[list[dict], int]:
    """Accepted K9 teams available on `day` and certified through it, optionally of one detection, or
    matching `search` (handler or dog) or one of `countries`, or among `ids`: the first `limit` (all if
    None) by country and handler, as dicts (id, handler_name, dog_name, detection, country, and `busy`,
    the (starts_at, ends_at) of their live assignments inside [starts, ends)), and how many match in all.
    Values, not model instances: a Games day has thousands of teams."""
    with connection.cursor() as cur:
        cur.execute(_PLANNER_TEAMS_SQL, {
            "operation": operation_id, "day": day, "starts": starts, "ends": ends, "detection": detection,
            "search": search or None, "countries": list(countries), "ids": list(ids) if ids is not None else None,
            "limit": limit,
        })  # fmt: skip
        columns = [c.name for c in cur.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    total = rows[0]["total"] if rows else 0
    for team in rows:
        del team["total"]
        team["busy"] = list(zip(team.pop("busy_from") or [], team.pop("busy_to") or [], strict=True))
    return rows, total


def planner_timeline(needs, on_duty, hours) -> list[dict]:
    """Rows per specialty for a venue and day: per hour, needed (needs overlapping the hour) against
    assigned (people on duty for the whole hour). Both are read the cautious way, so a gap never hides.
    `on_duty`: (specialty, starts_at, ends_at, people) of the live assignments."""
    rows = {}

    def row_for(specialty):
        return rows.setdefault(specialty.pk, {"specialty": specialty, "cells": [[0, 0] for _h in hours]})

    for need in needs:
        cells = row_for(need.specialty)["cells"]
        for i, (start, end) in enumerate(hours):
            if need.starts_at < end and need.ends_at > start:
                cells[i][0] += need.quantity
    for specialty, starts_at, ends_at, people in on_duty:
        if specialty is None:
            continue
        cells = row_for(specialty)["cells"]
        for i, (start, end) in enumerate(hours):
            if starts_at <= start and ends_at >= end:
                cells[i][1] += people
    out = []
    for row in rows.values():
        row["cells"] = [{"needed": n, "assigned": a, "state": _cell_state(n, a)} for n, a in row["cells"]]
        out.append(row)
    return sorted(out, key=lambda r: (r["specialty"].is_canine, r["specialty"].code))


def _cell_state(needed: int, assigned: int) -> str:
    if not needed:
        return "extra" if assigned else "none"
    return "short" if assigned < needed else "ok"

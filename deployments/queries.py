"""Read helpers for deployments: what each user may see; capacity and coverage in SQL (the one definition of
coverage that the API, the dashboard, the coverage page and the planner read)."""

from django.db import connection

from core import freshness
from core.roles import is_staff_reader, liaison_country
from deployments.models import Assignment, Proposal, Venue, VenueNeed, VenuePair
from deployments.what_if_sql import ASSIGNMENTS_AFTER, CUTS, NEEDS_AFTER, what_if_params
from pledges.readiness import border_checklist, border_missing, border_ready_from
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
    # Staff see every row: no "operation IN (every operation)" for the database to plan on each lookup.
    if is_staff_reader(user):
        return Venue.objects.all()
    return Venue.objects.filter(operation__in=visible_operations(user))


def visible_needs(user):
    if is_staff_reader(user):
        return VenueNeed.objects.all()
    return VenueNeed.objects.filter(venue__in=visible_venues(user))


def visible_venue_pairs(user):
    """Travel overrides are ministry planning data: staff only, nothing for a liaison."""
    if not is_staff_reader(user):
        return VenuePair.objects.none()
    return VenuePair.objects.all()


def visible_proposals(user):
    """Ministry planning: staff read them; a liaison finds none (a 404), not even of their country."""
    if not is_staff_reader(user):
        return Proposal.objects.none()
    return Proposal.objects.filter(operation__in=visible_operations(user))


def visible_assignments(user):
    qs = Assignment.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    return qs.filter(pledge__request__country=country) if country else qs.none()


# ---- coverage (SPEC §7): one definition for the API, the dashboard, the coverage page and the planner --------

# Requested / pledged / accepted / assigned per country and specialty: the cells that the API's `by_country`
# and `by_specialty` and the dashboard's figures are all summed from. `%(country)s` is NULL for ministry
# staff, the liaison's country otherwise: a liaison's coverage counts their own contingent only.
#
# requested: request lines of requests that were sent (not draft, not cancelled);
# pledged:   officers offered and teams in pledges of those requests that reached the ministry (not draft,
#            not withdrawn), but not lines or teams withdrawn alone;
# accepted:  officers accepted and teams accepted in accepted or partially accepted pledges (not withdrawn);
# assigned:  per officer line the peak number of its officers on duty at once (how many of them the
#            plan uses: a running sum over its assignments' starts and ends), per K9 team 1 if it has
#            any live assignment.
# K9 teams count under the canine specialty `k9_<detection>`.
_COVERAGE_COUNTS_SQL = """
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
    SELECT p.country, s.code, 0, CASE WHEN l.withdrawn_at IS NULL THEN l.officers_offered ELSE 0 END,
           CASE WHEN p.is_accepted AND l.withdrawn_at IS NULL THEN l.officers_accepted ELSE 0 END,
           COALESCE(peak.load, 0)
    FROM pledged p
    JOIN pledges_pledgeline l ON l.pledge_id = p.id
    JOIN reinforcements_specialty s ON s.id = l.specialty_id
    LEFT JOIN line_peaks peak ON peak.line_id = l.id
    UNION ALL
    SELECT p.country, 'k9_' || t.detection, 0, CASE WHEN t.withdrawn_at IS NULL THEN 1 ELSE 0 END,
           CASE WHEN p.is_accepted AND t.accepted AND t.withdrawn_at IS NULL THEN 1 ELSE 0 END,
           CASE WHEN EXISTS (
               SELECT 1 FROM deployments_assignment a WHERE a.k9_team_id = t.id AND a.status <> 'cancelled'
           ) THEN 1 ELSE 0 END
    FROM pledged p
    JOIN pledges_k9team t ON t.pledge_id = p.id
)
SELECT country, specialty, SUM(requested)::int, SUM(pledged)::int, SUM(accepted)::int, SUM(assigned)::int
FROM contributions
GROUP BY country, specialty
ORDER BY country, specialty
"""

COUNTS = ("requested", "pledged", "accepted", "assigned")


def coverage_counts(operation_id: int, *, country: str | None = None) -> list[dict]:
    """The four COUNTS per country and specialty code (dicts with "country", "specialty" and the counts), of
    `country` only when given: one query, whatever the size of the operation."""
    with connection.cursor() as cur:
        cur.execute(_COVERAGE_COUNTS_SQL, {"op": operation_id, "country": country})
        return [
            {"country": country, "specialty": specialty, **dict(zip(COUNTS, counts, strict=True))}
            for country, specialty, *counts in cur.fetchall()
        ]


# A need's cover. At a venue, for one specialty, the load L(t) is how many are on duty at instant t
# (officers count their quantity, a K9 team 1 under the canine specialty `k9_<detection>`, a cancelled
# assignment nothing) and the demand D(t) is the sum of the quantities of the needs whose window holds t:
# needs that overlap add up (SPEC §3). A need of quantity q reports
#
#     assigned = max(0, min over the instants t of its window of L(t) - (D(t) - q))
#
# what is left for it at its worst instant once the other needs of that instant are served. Alone in its
# window (D = q) that is SPEC §7's fewest on duty at any instant, and more than q shows a surplus. A need
# shows a gap (assigned < q) exactly when, at some instant of its window, fewer are on duty than the
# needs of that instant add up to, and needed - assigned is the largest shortfall of its window (up to q):
# every need sharing a gap shows it, a base and the peak laid on it alike, and no order among the needs
# decides which one carries it. The planner reads each hour as one need of the largest demand in it.


def _segments(scope: str, *, assignments: str = "deployments_assignment", needs: str = "deployments_venueneed") -> str:
    """SQL: the CTEs `wants`, the needs in `scope`; `live`, the non-cancelled assignments in it (of
    `%(country)s`'s pledges only, when it is set); and `segments`, the step function per venue and specialty:
    [t, next_t) with its load and demand, running sums of +n at every start and -n at every end (one sort,
    not a sum per instant), and '-infinity' before the first change, with nothing. `scope` is a condition on
    `{x}`, a need or an assignment (both have venue_id, starts_at, ends_at). `assignments`, `needs`: the
    tables read, or a what-if's view of them (what_if_sql.py)."""
    return f"""wants AS (
    SELECT n.venue_id, n.specialty_id, n.starts_at, n.ends_at, n.quantity
    FROM {needs} n WHERE {scope.format(x="n")}
), live AS (
    SELECT a.venue_id, COALESCE(l.specialty_id, ks.id) AS specialty_id, a.starts_at, a.ends_at,
           COALESCE(a.quantity, 1) AS n
    FROM {assignments} a
    LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
    LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    LEFT JOIN reinforcements_specialty ks ON ks.code = 'k9_' || t.detection
    WHERE a.status <> 'cancelled' AND {scope.format(x="a")}
      AND (%(country)s::text IS NULL OR a.pledge_id IN (
          SELECT p.id FROM pledges_pledge p JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
          WHERE r.country = %(country)s))
), steps AS (
    SELECT e.venue_id, e.specialty_id, e.t, SUM(SUM(e.load)) OVER w AS load, SUM(SUM(e.demand)) OVER w AS demand,
           LEAD(e.t) OVER w AS next_t
    FROM (
        SELECT live.venue_id, live.specialty_id, x.t, x.delta AS load, 0 AS demand
        FROM live CROSS JOIN LATERAL (VALUES (live.starts_at, live.n), (live.ends_at, -live.n)) AS x(t, delta)
        UNION ALL
        SELECT wants.venue_id, wants.specialty_id, x.t, 0, x.delta
        FROM wants CROSS JOIN LATERAL (VALUES (wants.starts_at, wants.quantity), (wants.ends_at, -wants.quantity))
            AS x(t, delta)
    ) e
    WHERE e.specialty_id IS NOT NULL
    GROUP BY e.venue_id, e.specialty_id, e.t
    WINDOW w AS (PARTITION BY e.venue_id, e.specialty_id ORDER BY e.t)
), segments AS (
    SELECT venue_id, specialty_id, t, next_t, load, demand FROM steps
    UNION ALL
    SELECT venue_id, specialty_id, '-infinity', MIN(t), 0, 0 FROM steps GROUP BY venue_id, specialty_id
)"""


def _meets(window: str) -> str:
    """SQL: the segments `g` that meet `window`'s [starts_at, ends_at)."""
    return f"g.t < {window}.ends_at AND (g.next_t IS NULL OR g.next_t > {window}.starts_at)"


def _cover(needed: str) -> str:
    """SQL: the cover (above) of a window needing `needed`, over the segments `g` that meet it."""
    return f"GREATEST(0, MIN(g.load - g.demand) + {needed})::int"


# What may meet one of the needs read: at their venues and, with a window, between the first need's start
# and the last one's end. Without a window the bounds fold away before planning (NULL IS NULL), so the
# whole operation's assignments are read by a parallel scan, as no CTE is read there.
_NEEDS_SCOPE = """{x}.venue_id IN (
          SELECT id FROM deployments_venue
          WHERE operation_id = %(operation)s AND (%(venue)s::bigint IS NULL OR id = %(venue)s))
      AND (%(starts)s::timestamptz IS NULL AND %(ends)s::timestamptz IS NULL
           OR {x}.ends_at > (SELECT MIN(starts_at) FROM needs) AND {x}.starts_at < (SELECT MAX(ends_at) FROM needs))"""


# Speakers of a need that asks for languages (SPEC §10): the fewest officers on duty at any instant of its
# window, at its venue and of its specialty, from lines that speak one of them (K9 teams record no language).
# Per need, a running sum from 0 at its start: +n where such an assignment starts (or at the need's start),
# -n where it ends inside the window; the smallest sum is the fewest at once. Only needs with languages.
def _speakers(assignments: str = "deployments_assignment") -> str:
    return f"""speakers AS (
    SELECT e.need_id, MIN(e.load)::int AS speaking FROM (
        SELECT x.need_id, SUM(x.delta) OVER (PARTITION BY x.need_id ORDER BY x.t RANGE UNBOUNDED PRECEDING) AS load
        FROM (
            SELECT n.id AS need_id, n.starts_at AS t, 0 AS delta FROM needs n WHERE cardinality(n.languages) > 0
            UNION ALL
            SELECT n.id, ev.t, ev.delta
            FROM needs n
            JOIN {assignments} a ON a.venue_id = n.venue_id AND a.status <> 'cancelled'
                AND a.starts_at < n.ends_at AND a.ends_at > n.starts_at
            JOIN pledges_pledgeline l ON l.id = a.pledge_line_id AND l.specialty_id = n.specialty_id
                AND l.languages && n.languages
            CROSS JOIN LATERAL (VALUES (GREATEST(a.starts_at, n.starts_at), a.quantity),
                                       (a.ends_at, CASE WHEN a.ends_at < n.ends_at THEN -a.quantity ELSE 0 END))
                AS ev(t, delta)
            WHERE cardinality(n.languages) > 0
              AND (%(country)s::text IS NULL OR a.pledge_id IN (
                  SELECT p.id FROM pledges_pledge p JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
                  WHERE r.country = %(country)s))
        ) x
    ) e
    GROUP BY e.need_id
)"""


def _need_coverage_sql(*, what_if: bool) -> str:
    """The need cover query; `what_if` reads the tables as a what-if would leave them (what_if_sql.py)."""
    tables = {"assignments": ASSIGNMENTS_AFTER, "needs": NEEDS_AFTER} if what_if else {}
    return f"""
WITH {CUTS if what_if else ""} needs AS (
    SELECT n.id, n.venue_id, v.code AS venue, n.specialty_id, n.starts_at, n.ends_at, n.quantity, n.languages
    FROM {tables.get("needs", "deployments_venueneed")} n JOIN deployments_venue v ON v.id = n.venue_id
    WHERE v.operation_id = %(operation)s
      AND (%(venue)s::bigint IS NULL OR n.venue_id = %(venue)s)
      AND (%(starts)s::timestamptz IS NULL OR n.ends_at > %(starts)s)
      AND (%(ends)s::timestamptz IS NULL OR n.starts_at < %(ends)s)
), {_segments(_NEEDS_SCOPE, **tables)}, {_speakers(tables.get("assignments", "deployments_assignment"))}
SELECT n.id, n.venue_id, n.venue, n.specialty_id, s.code AS specialty, n.starts_at, n.ends_at, n.quantity,
       {_cover("n.quantity")} AS assigned, n.languages, sp.speaking AS assigned_speaking
FROM needs n
JOIN reinforcements_specialty s ON s.id = n.specialty_id
LEFT JOIN segments g ON g.venue_id = n.venue_id AND g.specialty_id = n.specialty_id AND {_meets("n")}
LEFT JOIN speakers sp ON sp.need_id = n.id
GROUP BY n.id, n.venue_id, n.venue, n.specialty_id, s.code, n.starts_at, n.ends_at, n.quantity, n.languages,
         sp.speaking
ORDER BY n.venue, n.starts_at, s.code, n.id
"""


_NEED_COVERAGE_SQL = _need_coverage_sql(what_if=False)
_WHAT_IF_COVERAGE_SQL = _need_coverage_sql(what_if=True)


def need_coverage(
    operation_id: int, *, venue_id=None, starts=None, ends=None, country=None, cuts=None, quantities=None
) -> list[dict]:
    """Every need of an operation (of one venue, meeting [starts, ends), when given) with its cover, in one
    query: dicts of id, venue_id, venue (code), specialty_id, specialty (code), starts_at, ends_at,
    quantity (needed) and assigned, what is left for the need at its worst instant once the other needs of
    that instant are served (the definition above), counting only `country`'s assignments when given;
    languages, and for a need with languages assigned_speaking, the fewest on duty at once who speak one
    (None for the others).

    What if (SPEC §10): with `cuts` and/or `quantities` (what_if_sql.py), the cover as it would be after
    those changes, nothing written."""
    params = {"operation": operation_id, "venue": venue_id, "starts": starts, "ends": ends, "country": country}
    what_if = cuts is not None or quantities is not None
    if what_if:
        params |= what_if_params(cuts, quantities)
    with connection.cursor() as cur:
        cur.execute(_WHAT_IF_COVERAGE_SQL if what_if else _NEED_COVERAGE_SQL, params)
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def coverage_grid(operation_id: int, *, venue_id=None, starts=None, ends=None) -> list[dict]:
    """need_coverage() of every country, for the pages: cached until the data changes."""

    def compute():
        return need_coverage(operation_id, venue_id=venue_id, starts=starts, ends=ends)

    key = [operation_id, venue_id, starts and starts.isoformat(), ends and ends.isoformat()]
    return freshness.cached("grid", *key, compute=compute)


def coverage(operation, user) -> dict:
    """SPEC §7 coverage of one operation, as the user may see it (the caller checks the operation is
    visible): by_country and by_specialty summed from coverage_counts(), by_venue from need_coverage().
    Two queries, whatever the size of the operation (the API caches its answer)."""
    country = None if is_staff_reader(user) else liaison_country(user)
    by_country, by_specialty = {}, {}
    for cell in coverage_counts(operation.pk, country=country):
        for rows, key in ((by_country, "country"), (by_specialty, "specialty")):
            row = rows.setdefault(cell[key], {key: cell[key], **dict.fromkeys(COUNTS, 0)})
            for name in COUNTS:
                row[name] += cell[name]
    by_venue = [
        {"venue": need["venue"], "specialty": need["specialty"], "starts_at": need["starts_at"],
         "ends_at": need["ends_at"], "needed": need["quantity"], "assigned": need["assigned"],
         "languages": need["languages"], "assigned_speaking": need["assigned_speaking"]}
        for need in need_coverage(operation.pk, country=country)
    ]  # fmt: skip
    return {
        "operation": operation.code,
        "by_country": [by_country[key] for key in sorted(by_country)],
        "by_specialty": [by_specialty[key] for key in sorted(by_specialty)],
        "by_venue": by_venue,
    }


# Accepted officer lines available on a day, with how many of their officers are free during the whole
# window: accepted minus the line's peak load inside it (the running sum of _LINE_PEAK_SQL, per line).
# The day's live assignments are found by overlap on the index assign_line_span_open. A line withdrawn
# alone, or of an ended request, has nothing to place (SPEC §4): it is left out.
_PLANNER_LINES_SQL = """
WITH lines AS (
    SELECT pl.id, pl.officers_accepted, pl.specialty_id, r.country, pl.languages, pl.legal_status, pl.armed,
           pl.powers
    FROM pledges_pledgeline pl
    JOIN pledges_pledge p ON p.id = pl.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(operation)s AND p.status IN ('accepted', 'partially_accepted')
      AND r.status NOT IN ('declined', 'cancelled', 'closed') AND pl.withdrawn_at IS NULL
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
       (lines.officers_accepted - COALESCE(peaks.peak, 0))::int AS free,
       lines.languages, lines.legal_status, lines.armed, lines.powers
FROM lines LEFT JOIN peaks ON peaks.line_id = lines.id
"""


def planner_lines(operation_id: int, day, starts, ends) -> list[dict]:
    """Accepted officer lines available on `day`, as dicts: id, country, specialty_id, officers_accepted
    and `free`, the officers not assigned anywhere at any moment of [starts, ends); and languages,
    legal_status, armed and powers."""
    with connection.cursor() as cur:
        cur.execute(_PLANNER_LINES_SQL, {"operation": operation_id, "day": day, "starts": starts, "ends": ends})
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


# Accepted K9 teams available and certified on a day, the first `limit` of those matching the filters,
# with how many match in all and, per team, the live assignments of the day (the exclusion constraint's
# index serves the overlap). `search` matches the handler or the dog; `countries` lists country codes.
# A team withdrawn alone, or of an ended request, is left out (SPEC §4).
_PLANNER_TEAMS_SQL = """
SELECT s.*, b.busy_from, b.busy_to FROM (
    SELECT t.id, t.handler_name, t.dog_name, t.detection, r.country, t.legal_status, t.armed, t.powers,
           COUNT(*) OVER () AS total,
           t.microchip, t.pet_passport, t.rabies_vaccinated_on, t.echinococcus_treated_on, o.requires_echinococcus
    FROM pledges_k9team t
    JOIN pledges_pledge p ON p.id = t.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    JOIN reinforcements_operation o ON o.id = r.operation_id
    WHERE r.operation_id = %(operation)s AND p.status IN ('accepted', 'partially_accepted') AND t.accepted
      AND r.status NOT IN ('declined', 'cancelled', 'closed') AND t.withdrawn_at IS NULL
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
    None) by country and handler, as dicts (id, handler_name, dog_name, detection, country, legal_status,
    armed, powers, and `busy`,
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
        rabies = team["rabies_vaccinated_on"]
        checklist = border_checklist(**{key: team.pop(key) for key in _BORDER_FIELDS})
        team["missing"] = border_missing(checklist)
        team["ready_from"] = border_ready_from(checklist, rabies)
    return rows, total


_BORDER_FIELDS = (
    "microchip",
    "pet_passport",
    "rabies_vaccinated_on",
    "echinococcus_treated_on",
    "requires_echinococcus",
)


# The planner's hours of one venue: each (index i, [starts_at, ends_at)) read as one need of the largest
# demand in it, so a cell is short exactly when, at some instant of the hour, fewer are on duty than the
# needs of that instant add up to.
_HOUR_COVERAGE_SQL = f"""
WITH {_segments("{x}.venue_id = %(venue)s AND {x}.starts_at < %(ends)s AND {x}.ends_at > %(starts)s")}, hours AS (
    SELECT h.i - 1 AS i, h.starts_at, h.ends_at
    FROM unnest(%(hour_starts)s::timestamptz[], %(hour_ends)s::timestamptz[]) WITH ORDINALITY AS h(starts_at, ends_at, i)
)
SELECT g.specialty_id, h.i::int, MAX(g.demand)::int AS needed, {_cover("MAX(g.demand)")} AS assigned
FROM hours h JOIN segments g ON {_meets("h")}
GROUP BY g.specialty_id, h.i
"""


def planner_timeline(venue_id: int, hours, specialties) -> list[dict]:
    """Rows per specialty for a venue and day, one query: per hour ((start, end) pairs, in order), `needed`
    the largest sum of needs at an instant of the hour and `assigned` the cover of the hour read as one need
    of that size (the definition above): short exactly when fewer are on duty than needed at some instant
    of the hour; with nothing needed, the fewest on duty (`extra`). `specialties`: Specialty by id."""
    params = {
        "venue": venue_id, "starts": hours[0][0], "ends": hours[-1][1], "country": None,
        "hour_starts": [start for start, _end in hours], "hour_ends": [end for _start, end in hours],
    }  # fmt: skip
    rows = {}
    with connection.cursor() as cur:
        cur.execute(_HOUR_COVERAGE_SQL, params)
        for specialty_id, i, needed, assigned in cur.fetchall():
            row = rows.setdefault(specialty_id, {"specialty": specialties[specialty_id], "cells": [None] * len(hours)})
            row["cells"][i] = {"needed": needed, "assigned": assigned, "state": _cell_state(needed, assigned)}
    return sorted(rows.values(), key=lambda r: (r["specialty"].is_canine, r["specialty"].code))


def _cell_state(needed: int, assigned: int) -> str:
    if not needed:
        return "extra" if assigned else "none"
    return "short" if assigned < needed else "ok"

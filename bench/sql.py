"""The SQL the benchmark's floor app and `bench/explain.py` share (no Django import: the floor app
is a bare WSGI app). Parameters are psycopg2 pyformat: %(op)s is the operation's id.
"""

# Requested / pledged / accepted / assigned per country. "assigned" counts officer-shifts
# (a K9 team's shift counts one) of live assignments.
COUNTRY_COVERAGE_SQL = """
WITH req AS (
    SELECT r.country, SUM(l.quantity) AS requested FROM reinforcements_reinforcementrequest r
    JOIN reinforcements_requestline l ON l.request_id = r.id WHERE r.operation_id = %(op)s GROUP BY 1
), pl AS (
    SELECT r.country, SUM(x.offered) AS pledged, SUM(x.accepted) AS accepted
    FROM pledges_pledge p JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    JOIN LATERAL (
        SELECT officers_offered AS offered,
               CASE WHEN p.status IN ('accepted', 'partially_accepted') THEN officers_accepted ELSE 0 END AS accepted
        FROM pledges_pledgeline WHERE pledge_id = p.id
        UNION ALL
        SELECT 1, CASE WHEN accepted AND p.status IN ('accepted', 'partially_accepted') THEN 1 ELSE 0 END
        FROM pledges_k9team WHERE pledge_id = p.id
    ) x ON TRUE
    WHERE r.operation_id = %(op)s AND p.status NOT IN ('draft', 'withdrawn') GROUP BY 1
), asg AS (
    SELECT r.country, SUM(COALESCE(a.quantity, 1)) AS assigned
    FROM deployments_assignment a JOIN pledges_pledge p ON p.id = a.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(op)s AND a.status <> 'cancelled' GROUP BY 1
)
SELECT req.country, requested, pledged, accepted, assigned FROM req
LEFT JOIN pl USING (country) LEFT JOIN asg USING (country) ORDER BY 1
"""

SPECIALTY_COVERAGE_SQL = """
WITH spec AS (SELECT id, code FROM reinforcements_specialty),
req AS (
    SELECT l.specialty_id, SUM(l.quantity) AS requested FROM reinforcements_requestline l
    JOIN reinforcements_reinforcementrequest r ON r.id = l.request_id WHERE r.operation_id = %(op)s GROUP BY 1
), pl AS (
    SELECT x.specialty_id, SUM(x.offered) AS pledged, SUM(x.accepted) AS accepted
    FROM pledges_pledge p JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    JOIN LATERAL (
        SELECT specialty_id, officers_offered AS offered,
               CASE WHEN p.status IN ('accepted', 'partially_accepted') THEN officers_accepted ELSE 0 END AS accepted
        FROM pledges_pledgeline WHERE pledge_id = p.id
        UNION ALL
        SELECT s.id, 1, CASE WHEN t.accepted AND p.status IN ('accepted', 'partially_accepted') THEN 1 ELSE 0 END
        FROM pledges_k9team t JOIN spec s ON s.code = 'k9_' || t.detection WHERE t.pledge_id = p.id
    ) x ON TRUE
    WHERE r.operation_id = %(op)s AND p.status NOT IN ('draft', 'withdrawn') GROUP BY 1
), asg AS (
    SELECT COALESCE(pl.specialty_id, s.id) AS specialty_id, SUM(COALESCE(a.quantity, 1)) AS assigned
    FROM deployments_assignment a JOIN deployments_venue v ON v.id = a.venue_id
    LEFT JOIN pledges_pledgeline pl ON pl.id = a.pledge_line_id
    LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    LEFT JOIN spec s ON s.code = 'k9_' || t.detection
    WHERE v.operation_id = %(op)s AND a.status <> 'cancelled' GROUP BY 1
)
SELECT spec.code AS specialty, requested, pledged, accepted, assigned FROM spec
LEFT JOIN req ON req.specialty_id = spec.id LEFT JOIN pl ON pl.specialty_id = spec.id
LEFT JOIN asg ON asg.specialty_id = spec.id ORDER BY 1
"""

# The coverage by venue need: the smallest number on duty of the need's specialty at the venue
# at any instant of the need's window (SPEC §7). Per need, the live assignments overlapping the
# window come from the GiST index assign_venue_span_open (index-only); the load is a running
# sum (window function) of +quantity at each start (clipped to the window's start) and
# -quantity at each end, and only changes there, so its minimum over the window is the least
# running sum at an instant inside it (the window's start is always one).
NEED_COVERAGE_SQL = """
SELECT v.code AS venue, sp.code AS specialty, n.starts_at, n.ends_at, n.quantity AS needed, c.assigned
FROM deployments_venueneed n
JOIN deployments_venue v ON v.id = n.venue_id
JOIN reinforcements_specialty sp ON sp.id = n.specialty_id
CROSS JOIN LATERAL (
    SELECT COALESCE(MIN(s.load), 0) AS assigned FROM (
        SELECT e.t, SUM(e.d) OVER (ORDER BY e.t) AS load FROM (
            SELECT x.t, x.d FROM deployments_assignment a
            LEFT JOIN pledges_pledgeline pl ON pl.id = a.pledge_line_id
            LEFT JOIN pledges_k9team k ON k.id = a.k9_team_id
            CROSS JOIN LATERAL (VALUES (GREATEST(a.starts_at, n.starts_at), COALESCE(a.quantity, 1)),
                                       (a.ends_at, -COALESCE(a.quantity, 1))) AS x(t, d)
            WHERE a.venue_id = n.venue_id AND NOT a.status = 'cancelled'
              AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(n.starts_at, n.ends_at, '[)')
              AND (pl.specialty_id = n.specialty_id OR 'k9_' || k.detection = sp.code)
            UNION ALL SELECT n.starts_at, 0
        ) e
    ) s WHERE s.t < n.ends_at
) c
WHERE v.operation_id = %(op)s
"""

# The same answer from one pass over every event of the operation (a running sum partitioned
# by venue and specialty, then a range join to the needs): no index helps it, it sorts 500,000
# events. Kept to show why the per-need form above is the one to use.
NEED_COVERAGE_GLOBAL_SQL = """
WITH live AS (
    SELECT a.venue_id, COALESCE(pl.specialty_id, ks.id) AS specialty_id, a.starts_at, a.ends_at,
           COALESCE(a.quantity, 1) AS q
    FROM deployments_assignment a
    JOIN deployments_venue v ON v.id = a.venue_id
    LEFT JOIN pledges_pledgeline pl ON pl.id = a.pledge_line_id
    LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    LEFT JOIN reinforcements_specialty ks ON ks.code = 'k9_' || t.detection
    WHERE v.operation_id = %(op)s AND a.status <> 'cancelled'
), changes AS (
    SELECT venue_id, specialty_id, t, SUM(d) AS d FROM (
        SELECT venue_id, specialty_id, starts_at AS t, q AS d FROM live
        UNION ALL SELECT venue_id, specialty_id, ends_at, -q FROM live
    ) e GROUP BY venue_id, specialty_id, t
), needs AS (
    SELECT n.id, n.venue_id, n.specialty_id, n.starts_at, n.ends_at, n.quantity
    FROM deployments_venueneed n JOIN deployments_venue v ON v.id = n.venue_id
    WHERE v.operation_id = %(op)s
), stream AS (
    SELECT venue_id, specialty_id, t, 0 AS kind, d, NULL::bigint AS need_id FROM changes
    UNION ALL SELECT venue_id, specialty_id, starts_at, 1, 0, id FROM needs
), run AS (
    SELECT need_id, venue_id, specialty_id, t, kind,
           SUM(d) OVER (PARTITION BY venue_id, specialty_id ORDER BY t, kind ROWS UNBOUNDED PRECEDING) AS load
    FROM stream
), inside AS (
    SELECT n.id, MIN(s.load) AS load FROM needs n JOIN run s
      ON s.kind = 0 AND s.venue_id = n.venue_id AND s.specialty_id = n.specialty_id
     AND s.t > n.starts_at AND s.t < n.ends_at
    GROUP BY n.id
)
SELECT n.id, n.quantity, LEAST(r.load, COALESCE(i.load, r.load)) AS assigned
FROM needs n JOIN run r ON r.need_id = n.id LEFT JOIN inside i ON i.id = n.id
"""

"""The conflicts' SQL (SPEC §10): one statement per group of rules over the whole operation (or some of its
sources), never a statement per assignment. Each returns rows (rule, assignment id, other assignment id,
extra) for the live assignments it finds breaking a rule; `deployments.conflicts` words them.

The rules are the placement engine's (deployments.rules), written as set queries with the same bounds:
non-cancelled assignments weigh, planned, confirmed and active ones are reported. Figures on the
games-scale data: docs/performance.md ("Conflicts")."""

from core.errors import RuleViolation

LIVE = "('planned', 'confirmed', 'active')"

# The assignments that may be reported: live, of the operation, of a country, of some lines or teams (the
# team statements read only the teams').
_ALL_ANCHORS = f"""
anchors AS (
    SELECT a.id, a.k9_team_id, a.pledge_line_id, a.starts_at, a.ends_at, a.venue_id
    FROM deployments_assignment a
    JOIN pledges_pledge p ON p.id = a.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(op)s AND a.status IN {LIVE}
      AND (%(country)s::text IS NULL OR r.country = %(country)s)
      AND (%(sources)s::boolean IS FALSE OR a.k9_team_id = ANY(%(teams)s::bigint[])
           OR a.pledge_line_id = ANY(%(lines)s::bigint[]))
      AND (%(after)s::timestamptz IS NULL OR (a.starts_at < %(before)s AND a.ends_at > %(after)s))
      {{teams_only}}
)"""
_ANCHORS = _ALL_ANCHORS.format(teams_only="")
_TEAM_ANCHORS = _ALL_ANCHORS.format(teams_only="AND a.k9_team_id IS NOT NULL")

# Rest and travel in one pass over the teams' assignments: a team's consecutive non-cancelled
# assignments (LAG by start); the later one is reported when it is live, naming the earlier. Travel:
# straight-line distance (haversine, Earth radius 6371 km) at travel_kmh plus the buffer, unless the
# unordered venue pair has its own minutes; venues without coordinates and no pair are not checked.
PAIRS_SQL = f"""
WITH {_TEAM_ANCHORS}, seq AS (
    SELECT b.id, b.venue_id, b.starts_at,
           LAG(b.id) OVER w AS prev_id, LAG(b.ends_at) OVER w AS prev_end, LAG(b.venue_id) OVER w AS prev_venue
    FROM deployments_assignment b
    WHERE b.k9_team_id IN (SELECT k9_team_id FROM anchors) AND b.status <> 'cancelled'
    WINDOW w AS (PARTITION BY b.k9_team_id ORDER BY b.starts_at)
), pairs AS MATERIALIZED (
    SELECT seq.* FROM seq JOIN anchors USING (id) WHERE seq.prev_id IS NOT NULL
)
SELECT '{RuleViolation.REST}', id, prev_id, NULL FROM pairs
WHERE starts_at - prev_end > make_interval(mins => %(brk)s)
  AND starts_at - prev_end < make_interval(secs => %(rest)s * 3600)
UNION ALL
SELECT '{RuleViolation.TRAVEL}', p.id, p.prev_id, NULL FROM pairs p
JOIN deployments_venue v ON v.id = p.venue_id
JOIN deployments_venue u ON u.id = p.prev_venue
LEFT JOIN deployments_venuepair vp
    ON LEAST(vp.venue_a_id, vp.venue_b_id) = LEAST(p.venue_id, p.prev_venue)
   AND GREATEST(vp.venue_a_id, vp.venue_b_id) = GREATEST(p.venue_id, p.prev_venue)
CROSS JOIN LATERAL (SELECT COALESCE(vp.minutes::float8, CASE
    WHEN v.latitude IS NULL OR v.longitude IS NULL OR u.latitude IS NULL OR u.longitude IS NULL THEN NULL
    ELSE 2 * 6371 * ASIN(SQRT(
        POWER(SIN(RADIANS((u.latitude - v.latitude)::float8) / 2), 2)
        + COS(RADIANS(v.latitude::float8)) * COS(RADIANS(u.latitude::float8))
          * POWER(SIN(RADIANS((u.longitude - v.longitude)::float8) / 2), 2)
    )) / %(kmh)s * 60 + %(buffer)s END) AS need) n
WHERE p.venue_id <> p.prev_venue AND n.need IS NOT NULL
  AND EXTRACT(EPOCH FROM p.starts_at - p.prev_end) / 60 < n.need
"""

# Duty in the 24 h windows starting at each live assignment's start or ending at its end (the peaks of a
# sliding window's load are there: deployments.rules.duty). A source's (team's, or line's as officer-hours)
# assignments sharing the same span add up first (a line is placed at many venues on the same shifts: a
# quarter as many spans as assignments on the games-scale data), and those that end a day or more before
# its first live one, or start a day or more after its last one ends, are left out (they weigh in no
# window checked). Then one sort per source instead of
# a query per window: F(t), the hours worked by a source up to t, is x·L(t) − Σ δ·x over its spans'
# starts (δ = +q) and ends (−q) up to t (x: seconds since the operation's first day, L the load) — two
# running sums; a window's load is F(end) − F(start). The windows' far bounds join the same sorted stream
# as rows of δ 0, so F is read at them in the same pass, and each live span's two windows are summed up by
# a hash aggregate on its number (sid: a narrow sort and group key). A team's cap is max hours, a line's
# officers_accepted × max, checked per span before any assignment is named; the other assignment named is
# the one of the source weighing most in the heaviest window (breaches only).
DUTY_SQL = f"""
WITH {_ANCHORS},
teams AS (SELECT k9_team_id, MIN(starts_at) - INTERVAL '24 hours' AS since,
                 MAX(ends_at) + INTERVAL '24 hours' AS until FROM anchors
          WHERE k9_team_id IS NOT NULL GROUP BY 1),
lines AS (SELECT pledge_line_id, MIN(starts_at) - INTERVAL '24 hours' AS since,
                 MAX(ends_at) + INTERVAL '24 hours' AS until FROM anchors
          WHERE pledge_line_id IS NOT NULL GROUP BY 1),
spans AS MATERIALIZED (
    SELECT ROW_NUMBER() OVER () AS sid, src, starts_at, ends_at, SUM(q)::int AS q, BOOL_OR(live) AS live FROM (
        SELECT b.k9_team_id AS src, b.starts_at, b.ends_at, 1 AS q, b.status IN {LIVE} AS live
        FROM deployments_assignment b JOIN teams t USING (k9_team_id)
        WHERE b.status <> 'cancelled' AND b.ends_at > t.since AND b.starts_at < t.until
        UNION ALL
        SELECT -b.pledge_line_id, b.starts_at, b.ends_at, b.quantity, b.status IN {LIVE}
        FROM deployments_assignment b JOIN lines l USING (pledge_line_id)
        WHERE b.status <> 'cancelled' AND b.ends_at > l.since AND b.starts_at < l.until
    ) worked GROUP BY 2, 3, 4
), ev AS (
    SELECT src, starts_at AS t, q AS delta, CASE WHEN live THEN sid END AS sid, 0 AS tag FROM spans
    UNION ALL SELECT src, ends_at, -q, CASE WHEN live THEN sid END, 3 FROM spans
    UNION ALL SELECT src, starts_at + INTERVAL '24 hours', 0, sid, 1 FROM spans WHERE live
    UNION ALL SELECT src, ends_at - INTERVAL '24 hours', 0, sid, 2 FROM spans WHERE live
), f AS (
    SELECT sid, tag, x * SUM(delta) OVER w - SUM(delta * x) OVER w AS f
    FROM (SELECT *, date_part('epoch', t) - %(epoch0)s AS x FROM ev) ev
    WINDOW w AS (PARTITION BY src ORDER BY t ROWS UNBOUNDED PRECEDING)
), windows AS (
    SELECT sid, SUM(CASE tag WHEN 1 THEN f WHEN 0 THEN -f ELSE 0 END) / 3600.0 AS load0,
           SUM(CASE tag WHEN 3 THEN f WHEN 2 THEN -f ELSE 0 END) / 3600.0 AS load1
    FROM f WHERE sid IS NOT NULL GROUP BY 1
), heavy AS (
    SELECT sp.src, sp.starts_at AS s, sp.ends_at AS e, GREATEST(w.load0, w.load1) AS load,
           CASE WHEN w.load0 >= w.load1 THEN sp.starts_at ELSE sp.ends_at - INTERVAL '24 hours' END AS w
    FROM windows w JOIN spans sp USING (sid) LEFT JOIN pledges_pledgeline l ON l.id = -sp.src
    WHERE GREATEST(w.load0, w.load1)
          > CASE WHEN sp.src > 0 THEN %(max)s ELSE %(max)s * l.officers_accepted END + 0.000001
), breaches AS (
    SELECT a.id, a.k9_team_id, a.pledge_line_id, h.load, h.w FROM heavy h
    JOIN anchors a ON COALESCE(a.k9_team_id, -a.pledge_line_id) = h.src AND a.starts_at = h.s AND a.ends_at = h.e
)
SELECT '{RuleViolation.DUTY}', br.id, o.id, br.load FROM breaches br
LEFT JOIN LATERAL (
    SELECT b.id FROM deployments_assignment b
    WHERE b.id <> br.id AND b.status <> 'cancelled'
      AND (b.k9_team_id = br.k9_team_id OR b.pledge_line_id = br.pledge_line_id)
      AND b.starts_at < br.w + INTERVAL '24 hours' AND b.ends_at > br.w
    ORDER BY LEAST(b.ends_at, br.w + INTERVAL '24 hours') - GREATEST(b.starts_at, br.w) DESC, b.id
    LIMIT 1
) o ON TRUE
"""

# A K9 team's own papers, one pass: its certification is valid through its expiry day, in the operation's
# time zone (deployments.rules.certification); its border papers are complete and the assignment starts
# on or after the day it may cross, rabies_days after the vaccination (pledges.readiness,
# deployments.rules.readiness). The extra is what the message needs.
TEAM_SQL = f"""
WITH {_TEAM_ANCHORS}, team AS MATERIALIZED (
    SELECT a.id, a.starts_at, a.ends_at, t.certification_expires_on, t.rabies_vaccinated_on,
           json_build_object('microchip', t.microchip <> '', 'pet_passport', t.pet_passport <> '',
                             'rabies', t.rabies_vaccinated_on IS NOT NULL,
                             'echinococcus', t.echinococcus_treated_on IS NOT NULL,
                             'requires_echinococcus', o.requires_echinococcus) AS papers,
           t.microchip = '' OR t.pet_passport = '' OR t.rabies_vaccinated_on IS NULL
           OR (o.requires_echinococcus AND t.echinococcus_treated_on IS NULL) AS missing
    FROM anchors a JOIN pledges_k9team t ON t.id = a.k9_team_id
    JOIN reinforcements_operation o ON o.id = %(op)s
)
SELECT '{RuleViolation.CERTIFICATION}', id, NULL::bigint, to_json(certification_expires_on) FROM team
WHERE ends_at > ((certification_expires_on + 1)::timestamp AT TIME ZONE %(tz)s)
UNION ALL
SELECT '{RuleViolation.K9_NOT_READY}', id, NULL, papers FROM team WHERE missing
UNION ALL
SELECT '{RuleViolation.K9_NOT_READY}', id, NULL, to_json(rabies_vaccinated_on + %(rabies_days)s) FROM team
WHERE NOT missing AND starts_at < ((rabies_vaccinated_on + %(rabies_days)s)::timestamp AT TIME ZONE %(tz)s)
"""

# What the needs an assignment covers ask (deployments.requirements): the needs of its venue and its
# specialty (a K9 team's is `k9_<detection>`) overlapping its time that ask anything. A language asked that
# the line speaks none of (a team speaks none), or a legal status or arms it does not have. The first such
# need in time order is named, per rule (the placement engine stops at the first need breaking either).
NEEDS_SQL = f"""
WITH {_ANCHORS}, covered AS MATERIALIZED (
    SELECT a.id, n.id AS need, n.starts_at AS need_starts,
           n.languages <> '{{}}' AND NOT (n.languages && COALESCE(l.languages, '{{}}')) AS language_bad,
           (n.legal_status IS NOT NULL AND n.legal_status <> COALESCE(l.legal_status, t.legal_status))
           OR (n.armed IS NOT NULL AND n.armed <> COALESCE(l.armed, t.armed)) AS legal_bad,
           COALESCE(l.languages, '{{}}') AS spoken, COALESCE(l.legal_status, t.legal_status) AS legal_status,
           COALESCE(l.armed, t.armed) AS armed, COALESCE(l.powers, t.powers) AS powers
    FROM anchors a
    LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
    LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    LEFT JOIN reinforcements_specialty k ON k.code = 'k9_' || t.detection
    JOIN deployments_venueneed n ON n.venue_id = a.venue_id AND n.specialty_id = COALESCE(l.specialty_id, k.id)
         AND n.starts_at < a.ends_at AND n.ends_at > a.starts_at
    WHERE n.languages <> '{{}}' OR n.legal_status IS NOT NULL OR n.armed IS NOT NULL
)
(SELECT DISTINCT ON (id) '{RuleViolation.LANGUAGE}', id, NULL::bigint,
        json_build_object('need', need, 'spoken', spoken)
 FROM covered WHERE language_bad ORDER BY id, need_starts, need)
UNION ALL
(SELECT DISTINCT ON (id) '{RuleViolation.LEGAL_STATUS}', id, NULL::bigint,
        json_build_object('need', need, 'legal_status', legal_status, 'armed', armed, 'powers', powers)
 FROM covered WHERE legal_bad ORDER BY id, need_starts, need)
"""

# Each statement and the rules it finds, in the order the list shows them.
STATEMENTS = [
    (DUTY_SQL, [RuleViolation.DUTY]),
    (PAIRS_SQL, [RuleViolation.REST, RuleViolation.TRAVEL]),
    (TEAM_SQL, [RuleViolation.CERTIFICATION, RuleViolation.K9_NOT_READY]),
    (NEEDS_SQL, [RuleViolation.LANGUAGE, RuleViolation.LEGAL_STATUS]),
]
RULES = [code for _sql, codes in STATEMENTS for code in codes]

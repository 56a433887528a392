"""Conflicts (SPEC §10): every live assignment that breaks a rule now — the rules were tightened, a
certification changed, or the rule is in `warn` mode and it was placed anyway.

One SQL statement per rule over the whole operation (window functions and index-driven self-joins,
never a query per assignment), then one query for the details of every assignment named. The rules
read here are the placement engine's (deployments.rules), written as set queries: the same bounds,
the same counting (non-cancelled assignments weigh; planned, confirmed and active ones are reported)."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from core.countries import country_label
from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.rules.base import describe
from reinforcements.models import Specialty

RULES = [RuleViolation.DUTY, RuleViolation.REST, RuleViolation.TRAVEL, RuleViolation.CERTIFICATION]

# The assignments that may be reported: live, of the operation, of a country, of some lines or teams.
_ANCHORS = """
    SELECT a.id, a.k9_team_id, a.pledge_line_id, a.starts_at, a.ends_at, a.venue_id
    FROM deployments_assignment a
    JOIN pledges_pledge p ON p.id = a.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE r.operation_id = %(op)s AND a.status IN ('planned', 'confirmed', 'active')
      AND (%(country)s::text IS NULL OR r.country = %(country)s)
      AND (%(sources)s::boolean IS FALSE OR a.k9_team_id = ANY(%(teams)s::bigint[])
           OR a.pledge_line_id = ANY(%(lines)s::bigint[]))
"""

# A team's consecutive non-cancelled assignments (LAG over the team's, by start): the later one is
# reported when it is live, naming the earlier.
_PAIRS = (
    """
WITH teams AS (SELECT DISTINCT k9_team_id FROM ("""
    + _ANCHORS
    + """) x WHERE k9_team_id IS NOT NULL
), seq AS (
    SELECT b.id, b.status, b.venue_id, b.starts_at,
           LAG(b.id) OVER w AS prev_id, LAG(b.ends_at) OVER w AS prev_end, LAG(b.venue_id) OVER w AS prev_venue
    FROM deployments_assignment b JOIN teams t ON t.k9_team_id = b.k9_team_id
    WHERE b.status <> 'cancelled'
    WINDOW w AS (PARTITION BY b.k9_team_id ORDER BY b.starts_at)
), pairs AS (
    SELECT seq.* FROM seq JOIN ("""
    + _ANCHORS
    + """) anchor ON anchor.id = seq.id WHERE seq.prev_id IS NOT NULL
)
"""
)

_REST_SQL = (
    _PAIRS
    + """
SELECT id, prev_id, NULL FROM pairs
WHERE starts_at - prev_end > make_interval(mins => %(brk)s)
  AND starts_at - prev_end < make_interval(secs => %(rest)s * 3600)
"""
)

# Straight-line distance (haversine, Earth radius 6371 km) at travel_kmh plus the buffer, unless the
# unordered venue pair has its own minutes; venues without coordinates and no pair are not checked.
_TRAVEL_SQL = (
    _PAIRS
    + """
SELECT p.id, p.prev_id, NULL FROM pairs p
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
)

# Duty in the 24 h windows starting at each live assignment's start or ending at its end (the peaks of a
# sliding window's load are there: deployments.rules.duty). One sort per source instead of a query per
# window: F(t), the hours (officer-hours for a line) worked by a source up to t, is a running sum over
# its assignments' starts (+q) and ends (-q) — the load between two instants times their distance — and
# a window's load is F(end) - F(start). The windows' bounds join the same sorted stream as rows of
# delta 0, so F is read at them in the same pass. A team's cap is max hours, a line's officers_accepted ×
# max; the other assignment named is the one of the source weighing most in the window (breaches only).
_DUTY_SQL = (
    """
WITH anchors AS ("""
    + _ANCHORS
    + """), teams AS (SELECT DISTINCT k9_team_id FROM anchors WHERE k9_team_id IS NOT NULL
), lines AS (SELECT DISTINCT pledge_line_id FROM anchors WHERE pledge_line_id IS NOT NULL
), worked AS (
    SELECT b.k9_team_id AS src, b.starts_at, b.ends_at, 1 AS q FROM deployments_assignment b
    JOIN teams USING (k9_team_id) WHERE b.status <> 'cancelled'
    UNION ALL
    SELECT -b.pledge_line_id, b.starts_at, b.ends_at, b.quantity FROM deployments_assignment b
    JOIN lines USING (pledge_line_id) WHERE b.status <> 'cancelled'
), bounds AS (
    SELECT id, COALESCE(k9_team_id, -pledge_line_id) AS src, starts_at AS w FROM anchors
    UNION ALL SELECT id, COALESCE(k9_team_id, -pledge_line_id), ends_at - INTERVAL '24 hours' FROM anchors
), ev AS (
    SELECT src, starts_at AS t, q AS delta, NULL::bigint AS anchor, 0 AS kind FROM worked
    UNION ALL SELECT src, ends_at, -q, NULL, 0 FROM worked
    UNION ALL SELECT src, w, 0, id, 1 FROM bounds
    UNION ALL SELECT src, w + INTERVAL '24 hours', 0, id, 2 FROM bounds
), running AS (
    SELECT src, t, delta, anchor, kind, SUM(delta) OVER w AS load, EXTRACT(EPOCH FROM t - LAG(t) OVER w) AS width
    FROM ev WINDOW w AS (PARTITION BY src ORDER BY t, kind ROWS UNBOUNDED PRECEDING)
), area AS (
    SELECT anchor, kind, t,
           SUM(COALESCE((load - delta) * width, 0)) OVER (PARTITION BY src ORDER BY t, kind ROWS UNBOUNDED PRECEDING) AS f
    FROM running
), windows AS (
    SELECT a1.anchor AS id, a1.t AS w, (a2.f - a1.f) / 3600.0 AS load
    FROM area a1 JOIN area a2 ON a2.anchor = a1.anchor AND a2.kind = 2 AND a2.t = a1.t + INTERVAL '24 hours'
    WHERE a1.kind = 1
), breaches AS (
    SELECT DISTINCT ON (windows.id) windows.id, windows.w, windows.load, anchors.k9_team_id, anchors.pledge_line_id
    FROM windows JOIN anchors ON anchors.id = windows.id
    LEFT JOIN pledges_pledgeline l ON l.id = anchors.pledge_line_id
    WHERE windows.load > CASE WHEN anchors.k9_team_id IS NOT NULL THEN %(max)s ELSE %(max)s * l.officers_accepted END
          + 0.000001
    ORDER BY windows.id, windows.load DESC
)
SELECT br.id, o.id, br.load FROM breaches br
LEFT JOIN LATERAL (
    SELECT b.id FROM deployments_assignment b
    WHERE b.id <> br.id AND b.status <> 'cancelled'
      AND (b.k9_team_id = br.k9_team_id OR b.pledge_line_id = br.pledge_line_id)
      AND b.starts_at < br.w + INTERVAL '24 hours' AND b.ends_at > br.w
    ORDER BY LEAST(b.ends_at, br.w + INTERVAL '24 hours') - GREATEST(b.starts_at, br.w) DESC, b.id
    LIMIT 1
) o ON TRUE
"""
)

# A K9 team's certification is valid through its expiry day, in the operation's time zone.
_CERTIFICATION_SQL = (
    """
SELECT a.id, NULL::bigint, t.certification_expires_on FROM ("""
    + _ANCHORS
    + """) a
JOIN pledges_k9team t ON t.id = a.k9_team_id
WHERE a.ends_at > ((t.certification_expires_on + 1)::timestamp AT TIME ZONE %(tz)s)
"""
)

_SQL = {
    RuleViolation.DUTY: _DUTY_SQL,
    RuleViolation.REST: _REST_SQL,
    RuleViolation.TRAVEL: _TRAVEL_SQL,
    RuleViolation.CERTIFICATION: _CERTIFICATION_SQL,
}


@dataclass
class Conflict:
    rule: str
    detail: str
    assignment: dict  # id, country, venue, starts_at, ends_at, who
    other: dict | None


def conflicts(operation, *, rule: str | None = None, country: str | None = None, teams=None, lines=None):
    """Every live assignment of `operation` that breaks a rule now, by rule then start. `teams` and `lines`
    (ids) narrow it to some sources (the planner's day). Ministry staff only: callers check."""
    rules = operation.rule_set
    params = {
        "op": operation.pk, "country": country or None, "tz": operation.timezone,
        "sources": teams is not None or lines is not None, "teams": list(teams or []), "lines": list(lines or []),
        "brk": rules["max_break_minutes"], "rest": rules["min_rest_hours"], "kmh": rules["travel_kmh"],
        "buffer": rules["travel_buffer_minutes"], "max": rules["max_duty_hours"],
    }  # fmt: skip
    found = []
    with connection.cursor() as cur:
        for code in [rule] if rule else RULES:
            cur.execute(_SQL[code], params)
            found += [(code, *row) for row in cur.fetchall()]
    if not found:
        return []
    details = _details({i for row in found for i in row[1:3] if i})
    out = []
    for code, assignment_id, other_id, extra in found:
        a, other = details[assignment_id], details.get(other_id)
        out.append(Conflict(code, _message(code, a, other, extra, rules, operation.timezone), a, other))
    out.sort(key=lambda c: (RULES.index(c.rule), c.assignment["starts_at"], c.assignment["id"]))
    return out


def _details(ids) -> dict:
    specialties = {s.pk: s.name for s in Specialty.objects.all()}
    rows = Assignment.objects.filter(pk__in=ids).values(
        "id", "status", "starts_at", "ends_at", "quantity", "k9_team_id", "pledge_line_id", "venue_id",
        "venue__code", "venue__name", "pledge__request__country", "k9_team__handler_name", "k9_team__dog_name",
        "pledge_line__specialty_id",
    )  # fmt: skip
    out = {}
    for r in rows:
        who = (
            f"{r['k9_team__handler_name']} & {r['k9_team__dog_name']}"
            if r["k9_team_id"]
            else f"{r['quantity']} × {specialties.get(r['pledge_line__specialty_id'], '')}"
        )
        out[r["id"]] = {
            "id": r["id"], "status": r["status"], "country": r["pledge__request__country"],
            "country_name": country_label(r["pledge__request__country"]), "venue": r["venue__code"],
            "venue_name": r["venue__name"], "venue_id": r["venue_id"], "starts_at": r["starts_at"],
            "ends_at": r["ends_at"], "who": who, "k9_team": r["k9_team_id"], "pledge_line": r["pledge_line_id"],
        }  # fmt: skip
    return out


def _message(code, a, other, extra, rules, tz) -> str:
    named = describe(other["venue_name"], other["starts_at"], other["ends_at"], tz) if other else ""
    if code == RuleViolation.CERTIFICATION:
        return _("%(who)s's certification expires on %(d)s, before the assignment ends.") % {
            "who": a["who"],
            "d": extra,
        }
    if code == RuleViolation.DUTY:
        text = (
            _("%(who)s: %(load)s hours on duty in 24 hours; at most %(max)s.")
            if a["k9_team"]
            else _("%(who)s: %(load)s officer-hours of the line in 24 hours; at most accepted officers × %(max)s.")
        ) % {"who": a["who"], "load": f"{float(extra):.4g}", "max": f"{rules['max_duty_hours']:g}"}
        return text + (" " + _("With: %(other)s.") % {"other": named} if other else "")
    gap = a["starts_at"] - other["ends_at"]
    if code == RuleViolation.REST:
        return _("%(who)s rests only %(gap)s after %(other)s (at least %(rest)s hours).") % {
            "who": a["who"],
            "gap": _hm(gap),
            "other": named,
            "rest": f"{rules['min_rest_hours']:g}",
        }
    return _("%(who)s has only %(gap)s to travel from %(other)s.") % {"who": a["who"], "gap": _hm(gap), "other": named}


def _hm(gap: dt.timedelta) -> str:
    total = int(gap.total_seconds() // 60)
    return f"{total // 60}h{total % 60:02d}"


def conflicting_ids(operation, *, teams, lines) -> dict[int, list[str]]:
    """For the planner: assignment id -> the messages of the conflicts it is part of (either side)."""
    marks: dict[int, list[str]] = {}
    if not teams and not lines:
        return marks
    for c in conflicts(operation, teams=teams, lines=lines):
        for side in (c.assignment, c.other):
            if side is not None:
                marks.setdefault(side["id"], []).append(c.detail)
    return marks

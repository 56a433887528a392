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
# sliding window's load are there: deployments.rules.duty). The load of a window reads the source's
# non-cancelled assignments through its overlap index (assign_line_span_open, or the K9 exclusion
# constraint's): a line's officer-hours against officers_accepted × max, a team's hours against max.
_DUTY_SQL = (
    """
WITH anchors AS ("""
    + _ANCHORS
    + """), wins AS (
    SELECT id, k9_team_id, pledge_line_id, starts_at AS w FROM anchors
    UNION ALL SELECT id, k9_team_id, pledge_line_id, ends_at - INTERVAL '24 hours' FROM anchors
), loads AS (
    SELECT wins.id, x.load, x.other,
           CASE WHEN wins.k9_team_id IS NOT NULL THEN %(max)s ELSE %(max)s * l.officers_accepted END AS cap
    FROM wins
    LEFT JOIN pledges_pledgeline l ON l.id = wins.pledge_line_id
    CROSS JOIN LATERAL (
        SELECT SUM(b.q * EXTRACT(EPOCH FROM LEAST(b.ends_at, wins.w + INTERVAL '24 hours')
                                              - GREATEST(b.starts_at, wins.w))) / 3600.0 AS load,
               (ARRAY_AGG(b.id ORDER BY (b.id = wins.id), LEAST(b.ends_at, wins.w + INTERVAL '24 hours')
                                                          - GREATEST(b.starts_at, wins.w) DESC))[1] AS other
        FROM (
            SELECT id, starts_at, ends_at, 1 AS q FROM deployments_assignment
            WHERE k9_team_id = wins.k9_team_id AND status <> 'cancelled'
              AND TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(wins.w, wins.w + INTERVAL '24 hours', '[)')
            UNION ALL
            SELECT id, starts_at, ends_at, quantity FROM deployments_assignment
            WHERE pledge_line_id = wins.pledge_line_id AND status <> 'cancelled'
              AND TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(wins.w, wins.w + INTERVAL '24 hours', '[)')
        ) b
    ) x
)
SELECT DISTINCT ON (id) id, NULLIF(other, id), load FROM loads WHERE load > cap + 0.000001 ORDER BY id, load DESC
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

"""Conflicts (SPEC §10): every live assignment that breaks a rule now — the rules were tightened, a
certification, a team's papers or a need changed, or the rule is in `warn` mode and it was placed anyway.

One SQL statement per group of rules over the whole operation (deployments.conflicts_sql: window
functions and set joins, never a query per assignment), then one query for the details of every
assignment named (and one for the needs named, if any). The rules read there are the placement engine's
(deployments.rules), written as set queries: the same bounds, the same counting (non-cancelled
assignments weigh; planned, confirmed and active ones are reported)."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import connection
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import freshness
from core.countries import country_label
from core.errors import RuleViolation
from deployments.conflicts_sql import RULES, STATEMENTS
from deployments.models import Assignment, VenueNeed
from deployments.requirements import legal_asked, need_label
from deployments.rules.base import describe
from pledges.models import legal_status_text
from pledges.readiness import RABIES_WAIT, border_checklist, border_missing
from reinforcements.models import Specialty

__all__ = ["RULES", "Conflict", "conflicting_ids", "conflicts", "query_params"]


@dataclass
class Conflict:
    rule: str
    detail: str
    assignment: dict  # id, country, venue, starts_at, ends_at, who
    other: dict | None


def conflicts(operation, *, rule: str | None = None, country: str | None = None, teams=None, lines=None, around=None):
    """Every live assignment of `operation` that breaks a rule now, by rule then start. `teams` and `lines`
    (ids) narrow it to some sources, `around` (start, end) to the assignments overlapping that span (the
    planner's day). Ministry staff only: callers check.

    The answer (about 0.5 s of database CPU for a whole Games, 40–50 ms for the planner's busiest day) is
    cached per process until a watched row changes (core/freshness.py), keyed by what else it reads: the
    operation's rules, time zone and border requirement, the filters and the language of its messages."""
    asks = (
        operation.rule_set, operation.timezone, operation.requires_echinococcus, operation.starts_on,
        sorted(teams) if teams is not None else None, sorted(lines) if lines is not None else None, around,
    )  # fmt: skip
    key = hashlib.sha256(json.dumps(asks, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return freshness.cached(
        "conflicts", operation.pk, key, rule, country, get_language(),
        compute=lambda: _conflicts(operation, rule, country, teams, lines, around),
    )  # fmt: skip


def query_params(operation, country, teams, lines, around=None) -> dict:
    """The parameters of the statements of deployments.conflicts_sql (bench/explain.py runs them too)."""
    rules = operation.rule_set
    after, before = around or (None, None)
    return {
        "op": operation.pk, "country": country or None, "tz": operation.timezone, "after": after, "before": before,
        "sources": teams is not None or lines is not None, "teams": list(teams or []), "lines": list(lines or []),
        "brk": rules["max_break_minutes"], "rest": rules["min_rest_hours"], "kmh": rules["travel_kmh"],
        "buffer": rules["travel_buffer_minutes"], "max": rules["max_duty_hours"], "rabies_days": RABIES_WAIT.days,
        "epoch0": dt.datetime.combine(operation.starts_on, dt.time(), dt.UTC).timestamp(),
    }  # fmt: skip


def _conflicts(operation, rule, country, teams, lines, around=None):
    rules = operation.rule_set
    params = query_params(operation, country, teams, lines, around)
    found = []
    with connection.cursor() as cur:
        for sql, codes in STATEMENTS:
            if rule is None or rule in codes:
                cur.execute(sql, params)
                found += [row for row in cur.fetchall() if rule is None or row[0] == rule]
    if not found:
        return []
    details = _details({i for row in found for i in row[1:3] if i})
    needs = _needs({row[3]["need"] for row in found if row[0] in (RuleViolation.LANGUAGE, RuleViolation.LEGAL_STATUS)})
    out = []
    for code, assignment_id, other_id, extra in found:
        a, other = details[assignment_id], details.get(other_id)
        out.append(Conflict(code, _message(code, a, other, extra, rules, operation.timezone, needs), a, other))
    out.sort(key=lambda c: (RULES.index(c.rule), c.assignment["starts_at"], c.assignment["id"]))
    return out


def _needs(ids) -> dict:
    if not ids:
        return {}
    return VenueNeed.objects.select_related("specialty", "venue").in_bulk(ids)


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


def _message(code, a, other, extra, rules, tz, needs) -> str:
    named = describe(other["venue_name"], other["starts_at"], other["ends_at"], tz) if other else ""
    if code in _OWN_MESSAGES:
        return _OWN_MESSAGES[code](a["who"], extra, tz, needs)
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


def _k9_not_ready(who, extra, tz, needs) -> str:
    """The same words as the placement's refusal (deployments.rules.readiness): what is missing, or the day."""
    if isinstance(extra, str):
        return _("%(team)s may cross the border from %(d)s only (21 days after the rabies vaccination).") % {
            "team": who,
            "d": extra,
        }
    checklist = border_checklist(
        microchip=extra["microchip"], pet_passport=extra["pet_passport"],
        rabies_vaccinated_on=True if extra["rabies"] else None,
        echinococcus_treated_on=True if extra["echinococcus"] else None,
        requires_echinococcus=extra["requires_echinococcus"],
    )  # fmt: skip
    return _("%(team)s is not ready for the border: missing %(missing)s.") % {
        "team": who,
        "missing": ", ".join(border_missing(checklist)),
    }


def _language(who, extra, tz, needs) -> str:
    need, spoken = needs[extra["need"]], extra["spoken"]
    return capfirst(
        _("%(need)s asks for speakers of one of %(asked)s; %(who)s speaks %(spoken)s.")
        % {
            "need": need_label(need, tz),
            "asked": ", ".join(need.languages),
            "who": who,
            "spoken": ", ".join(spoken) if spoken else _("none of them"),
        }
    )


def _legal_status(who, extra, tz, needs) -> str:
    need = needs[extra["need"]]
    return capfirst(
        _("%(need)s asks for %(asked)s; %(who)s is %(has)s.")
        % {
            "need": need_label(need, tz),
            "asked": legal_asked(need),
            "who": who,
            "has": legal_status_text(extra["legal_status"], extra["armed"], extra["powers"]),
        }
    )


# The rules about the assignment's own source and need, worded as the placement's refusals are.
_OWN_MESSAGES = {
    RuleViolation.K9_NOT_READY: _k9_not_ready,
    RuleViolation.LANGUAGE: _language,
    RuleViolation.LEGAL_STATUS: _legal_status,
}


def _hm(gap: dt.timedelta) -> str:
    total = int(gap.total_seconds() // 60)
    return f"{total // 60}h{total % 60:02d}"


REACH = dt.timedelta(hours=48)


def conflicting_ids(operation, *, teams, lines, start, end) -> dict[int, list[str]]:
    """For the planner's [start, end): assignment id -> the messages of the conflicts it is part of (either
    side). The other side of a conflict lies within REACH of the one reported (a duty window is a day, a
    rest at most 48 h, a journey between two venues of one country well under that at the default speed):
    the assignments overlapping the span widened by REACH are enough to mark every one shown."""
    marks: dict[int, list[str]] = {}
    if not teams and not lines:
        return marks
    for c in conflicts(operation, teams=teams, lines=lines, around=(start - REACH, end + REACH)):
        for side in (c.assignment, c.other):
            if side is not None:
                marks.setdefault(side["id"], []).append(c.detail)
    return marks

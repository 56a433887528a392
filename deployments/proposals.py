"""Proposals (SPEC §10): from the accepted capacity not yet used, the placements that fill the gaps of a
scope without breaking a rule, found by OR-Tools CP-SAT; then applied in one transaction.

How a proposal is made (`compute`):
1. the gaps: every need in scope minus its cover, from the one coverage computation (queries.need_coverage);
2. the candidates: per need with a gap, each accepted line of its specialty with officers free over the
   need's window, and each accepted, ready, certified K9 team of its detection free then; filtered with
   the rule engine's cheap checks (availability, certification, readiness, legal status, language when
   refused, rest and travel against the team's own assignments);
3. CP-SAT: an integer per line candidate (officers), a boolean per team candidate; a line never has more
   officers on duty than accepted at any instant nor more officer-hours than allowed in any 24 h; a team
   never two candidates that overlap or breach rest or travel, nor more duty hours than allowed; a need
   gets at most its gap. Objectives, lexicographically (each stage keeps the optimum of those before):
   officer-hours covered; then language matches and the same venue as the source's day before; then the
   largest country's share of duty; then less travel;
4. every placement checked again by the rule engine (transitions.create_assignment) in a savepoint that
   is rolled back; a refused one is dropped (there should be none) and the cover after is measured there.

Why CP-SAT: README "Proposals".
"""

import datetime as dt
import hashlib
import json
import time
import zoneinfo
from collections import defaultdict

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.roles import require_coordinator
from deployments import bulk, transitions
from deployments.models import Assignment, Proposal, Venue, VenueNeed, VenuePair
from deployments.queries import need_coverage
from deployments.requirements import fits_legally, source_languages, speaks_one
from deployments.rules.base import day_bounds
from deployments.solver import DAY, Candidate, Timeline, minutes, nearest_km, peak, solve, team_refusal
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.rules import REFUSE

TASK = "deployments.tasks.compute_proposal"
LIFETIME = dt.timedelta(days=1)
# At most this many candidates per need: the best by preference (same venue the day before, then nearest).
# A need with more free sources than this is filled anyway; the bound keeps the model small at Games scale.
MAX_CANDIDATES = 25
# The solver gets the time limit shared among the days of the scope, and at least this per day.
MIN_DAY_SECONDS = 1.0
ENDED_REQUEST = ("declined", "cancelled", "closed")

# Why a need stays short (the `reason` code of `uncovered`), in the order they are reported.
REASONS = {
    "capacity": gettext_lazy("No free capacity of that specialty at that hour."),
    "language": gettext_lazy("Nobody free speaks one of the languages asked."),
    "legal_status": gettext_lazy("Nobody free has the legal status or arms asked."),
    "readiness": gettext_lazy("The free K9 teams are not ready for the border or not certified then."),
    "rest": gettext_lazy("The free sources would not have their rest."),
    "travel": gettext_lazy("The free sources could not travel there in time."),
    "duty": gettext_lazy("The free sources would exceed their duty hours."),
    "contention": gettext_lazy("The free capacity went to other needs of the same hours."),
}


class StaleProposal(DomainError):
    code = "stale_proposal"

    def __init__(self, message, changes=()):
        super().__init__(message, code="stale_proposal")
        self.changes = list(changes)


class ExpiredProposal(DomainError):
    code = "proposal_expired"


# ---- scope ------------------------------------------------------------------------------------------------


def scope_bounds(operation, from_date=None, to_date=None):
    first, last = from_date or operation.starts_on, to_date or operation.ends_on
    return day_bounds(first, last, operation.timezone)


# ---- what it relies on --------------------------------------------------------------------------------------


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()[:16]


def fingerprint(operation, needs: list[dict], sources: dict, starts, ends) -> dict:
    """Per need (its figures and its cover) and per source considered (its state and its live assignments
    near the scope), a short digest: apply compares them to say what changed."""
    out = {}
    for need in needs:
        out[f"need:{need['id']}"] = _digest(
            [need["quantity"], need["starts_at"], need["ends_at"], need["assigned"], need["languages"]]
        )
    line_ids = [key[1] for key in sources if key[0] == "line"]
    team_ids = [key[1] for key in sources if key[0] == "team"]
    live = defaultdict(list)
    for key, *row in _live_rows(line_ids, team_ids, starts, ends):
        live[key].append(tuple(row))
    states = _source_states(line_ids, team_ids)
    for key in sources:
        out[f"{key[0]}:{key[1]}"] = _digest([states.get(key), sorted(live.get(key, []))])
    return out


def _source_states(line_ids, team_ids) -> dict:
    states = {}
    for row in PledgeLine.objects.filter(pk__in=line_ids).values_list(
        "id", "officers_accepted", "withdrawn_at", "available_from", "available_to", "pledge__status",
        "pledge__request__status", "languages",
    ):  # fmt: skip
        states[("line", row[0])] = row[1:]
    for row in K9Team.objects.filter(pk__in=team_ids).values_list(
        "id", "accepted", "withdrawn_at", "available_from", "available_to", "certification_expires_on",
        "pledge__status", "pledge__request__status",
    ):  # fmt: skip
        states[("team", row[0])] = row[1:]
    return states


# ---- the engine ---------------------------------------------------------------------------------------------


def _need_rows(operation, venue_id, specialty_id, starts, ends):
    rows = need_coverage(operation.pk, venue_id=venue_id, starts=starts, ends=ends)
    return [r for r in rows if specialty_id is None or r["specialty_id"] == specialty_id]


def by_venue(rows: list[dict]) -> list[dict]:
    """The SPEC §7 `by_venue` shape."""
    return [
        {"venue": r["venue"], "specialty": r["specialty"], "starts_at": r["starts_at"].isoformat(),
         "ends_at": r["ends_at"].isoformat(), "needed": r["quantity"], "assigned": r["assigned"],
         "languages": r["languages"], "assigned_speaking": r["assigned_speaking"]}
        for r in rows
    ]  # fmt: skip


def _sources(operation, specialty_ids, k9_detections):
    lines = list(
        PledgeLine.objects.filter(
            pledge__request__operation=operation, pledge__status__in=Pledge.ACCEPTED_STATUSES,
            withdrawn_at__isnull=True, officers_accepted__gt=0, specialty_id__in=specialty_ids,
        ).exclude(pledge__request__status__in=ENDED_REQUEST).select_related("pledge__request").order_by("pk")
    )  # fmt: skip
    teams = list(
        K9Team.objects.filter(
            pledge__request__operation=operation, pledge__status__in=Pledge.ACCEPTED_STATUSES, accepted=True,
            withdrawn_at__isnull=True, detection__in=k9_detections,
        ).exclude(pledge__request__status__in=ENDED_REQUEST).select_related("pledge__request__operation")
        .order_by("pk")
    )  # fmt: skip
    return lines, teams


def _live_rows(lines, teams, starts, ends):
    """The live assignments of these sources (lines and teams, or their ids) within a day of the scope:
    ((kind, source id), id, start, end, quantity, venue_id)."""
    rows = Assignment.objects.filter(
        Q(pledge_line__in=lines) | Q(k9_team__in=teams), starts_at__lt=ends + DAY, ends_at__gt=starts - DAY
    ).exclude(status=Assignment.Status.CANCELLED)
    for line_id, team_id, *row in rows.values_list(
        "pledge_line_id", "k9_team_id", "id", "starts_at", "ends_at", "quantity", "venue_id"
    ):
        yield (("line", line_id) if line_id else ("team", team_id)), *row


def _live_of(lines, teams, starts, ends):
    """The live assignments of these sources within a day of the scope: (start, end, quantity, venue_id)."""
    live = defaultdict(list)
    for key, _id, s, e, q, venue_id in _live_rows(lines, teams, starts, ends):
        live[key].append((s, e, q or 1, venue_id))
    return {key: Timeline(items) for key, items in live.items()}


def compute(proposal: Proposal, progress=lambda pct: None) -> dict:
    """The proposal's result (see the module's docstring). Reads only; the savepoint of the final check is
    rolled back."""
    started = time.monotonic()
    operation = proposal.operation
    rules = operation.rule_set
    tz = zoneinfo.ZoneInfo(operation.timezone)
    starts, ends = scope_bounds(operation, proposal.from_date, proposal.to_date)
    rows = _need_rows(operation, proposal.venue_id, proposal.specialty_id, starts, ends)
    gaps = {r["id"]: r["quantity"] - r["assigned"] for r in rows if r["quantity"] > r["assigned"]}
    needs = VenueNeed.objects.in_bulk(list(gaps))
    specialties = {
        n.specialty_id: n.specialty for n in VenueNeed.objects.filter(pk__in=gaps).select_related("specialty")
    }
    venues = Venue.objects.in_bulk({n.venue_id for n in needs.values()})
    k9 = {code.removeprefix("k9_") for code in (s.code for s in specialties.values()) if code.startswith("k9_")}
    lines, teams = _sources(operation, list(specialties), k9)
    live = _live_of(lines, teams, starts, ends)
    all_venues = Venue.objects.in_bulk({v for timeline in live.values() for *_x, v in timeline.items} | set(venues))
    pairs = VenuePair.objects.filter(venue_a__operation=operation).values_list("venue_a_id", "venue_b_id", "minutes")
    overrides = {(min(a, b), max(a, b)): m for a, b, m in pairs}
    progress(20)

    language_refused = rules["modes"].get("language_mismatch", REFUSE) == REFUSE
    legal_refused = rules["modes"].get("legal_status_mismatch", REFUSE) == REFUSE
    rest_refused = rules["modes"].get("rest_too_short", REFUSE) == REFUSE
    travel_refused = rules["modes"].get("travel_too_short", REFUSE) == REFUSE
    # Readiness read once per team, not once per need; the sources of each specialty listed once.
    ready_at = {
        t.pk: None if t.readiness or t.ready_from is None else dt.datetime.combine(t.ready_from, dt.time.min, tz)
        for t in teams
    }
    pools = defaultdict(list)
    for team in teams:
        pools[f"k9_{team.detection}"].append(("team", team))
    for line in lines:
        pools[line.specialty_id].append(("line", line))
    why = {}  # need id -> the reasons its sources were filtered out

    def need_candidates(need_id):
        need = needs[need_id]
        gap, venue, spec = gaps[need_id], venues[need.venue_id], specialties[need.specialty_id]
        first_day = need.starts_at.astimezone(tz).date()
        last_day = (need.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date()
        reasons, found = set(), []
        for kind, source in pools[spec.code] if spec.code.startswith("k9_") else pools[need.specialty_id]:
            key = (kind, source.pk)
            if not (source.available_from <= first_day and source.available_to >= last_day):
                continue
            if not fits_legally(source, need) and legal_refused:
                reasons.add("legal_status")
                continue
            speaks = speaks_one(source_languages(source), need.languages)
            if not speaks and language_refused:
                reasons.add("language")
                continue
            mine = live[key].between(need.starts_at - 2 * DAY, need.ends_at + 2 * DAY) if key in live else []
            if kind == "line":
                free = source.officers_accepted - peak(mine, need.starts_at, need.ends_at)
                if free <= 0:
                    reasons.add("capacity")
                    continue
                upper = min(gap, free)
            else:
                ready = ready_at[source.pk]
                if source.certification_expires_on < last_day or ready is None or need.starts_at < ready:
                    reasons.add("readiness")
                    continue
                refused = team_refusal(mine, need.starts_at, need.ends_at, venue, all_venues, rules, overrides,
                                        rest_refused, travel_refused)  # fmt: skip
                if refused:
                    reasons.add(refused)
                    continue
                upper = 1
            same_venue = any(v == venue.pk and s < need.starts_at and e > need.starts_at - 2 * DAY
                             for s, e, _q, v in mine)  # fmt: skip
            found.append(Candidate(
                index=None, kind=kind, source=source, need=need, venue=venue, starts_at=need.starts_at,
                ends_at=need.ends_at, upper=upper, minutes=minutes(need.starts_at, need.ends_at),
                lang=bool(need.languages) and speaks, same_venue=same_venue,
                travel_km=nearest_km(mine, need.starts_at, venue, all_venues),
                country=source.pledge.request.country, var=None,
            ))  # fmt: skip
        found.sort(key=lambda c: (not c.lang, not c.same_venue, c.travel_km, -c.upper, c.source.pk))
        why[need_id] = reasons
        return found[:MAX_CANDIDATES]

    # Day by day (the needs' local start day), each day seeing what the days before proposed as the sources'
    # own assignments: a Games-wide model at once does not solve within the time limit; a day does.
    days = defaultdict(list)
    for need_id in sorted(gaps, key=lambda i: (needs[i].starts_at, i)):
        days[needs[need_id].starts_at.astimezone(tz).date()].append(need_id)
    day_limit = max(settings.PROPOSAL_TIME_LIMIT_SECONDS / max(len(days), 1), MIN_DAY_SECONDS)
    candidates, chosen = [], []
    stats = {"variables": 0, "covered_minutes": 0, "bound_minutes": 0, "days": len(days), "stages": {}}
    read_seconds = solve_seconds = 0.0
    for day_index, need_ids in enumerate(days.values()):
        reading = time.monotonic()
        todays = [c for need_id in need_ids for c in need_candidates(need_id)]
        solving = time.monotonic()
        picked, day_stats = solve(todays, gaps, live, rules, all_venues, overrides, rest_refused, travel_refused,
                                  day_limit)  # fmt: skip
        read_seconds += solving - reading
        solve_seconds += time.monotonic() - solving
        for c, qty in picked:
            live.setdefault((c.kind, c.source.pk), Timeline([])).add((c.starts_at, c.ends_at, qty, c.venue.pk))
        chosen += picked
        candidates += todays
        for key in ("variables", "covered_minutes", "bound_minutes"):
            stats[key] += day_stats.get(key, 0)
        for stage, status in day_stats.get("stages", {}).items():
            counts = stats["stages"].setdefault(stage, {})
            counts[status] = counts.get(status, 0) + 1
        progress(20 + 60 * (day_index + 1) // len(days))
    stats["status"] = "OPTIMAL" if set(stats["stages"].get("covered", {})) <= {"OPTIMAL"} else "FEASIBLE"
    read_at = time.monotonic() - solve_seconds  # the phases: reading (with candidates) and solving
    progress(80)
    placements = [
        {"kind": c.kind, "source": c.source.pk, "need": c.need.pk, "venue": c.venue.code, "venue_id": c.venue.pk,
         "country": c.country, "specialty": specialties[c.need.specialty_id].code, "label": str(c.source),
         "starts_at": c.starts_at.isoformat(), "ends_at": c.ends_at.isoformat(),
         "quantity": qty if c.kind == "line" else None, "officer_hours": round(qty * c.minutes / 60, 2),
         "language_match": c.lang, "same_venue": c.same_venue}
        for c, qty in chosen
    ]  # fmt: skip
    placements.sort(key=lambda p: (p["country"], p["venue"], p["starts_at"], p["source"]))
    solved_at = time.monotonic()
    kept, dropped, after = _recheck(proposal, placements, starts, ends)
    checked_at = time.monotonic()
    covered_by_need = defaultdict(int)
    for p in kept:
        covered_by_need[p["need"]] += p["quantity"] or 1
    uncovered = []
    for need_id, gap in gaps.items():
        left = gap - covered_by_need[need_id]
        if left <= 0:
            continue
        need = needs[need_id]
        codes = sorted(why.get(need_id) or ()) or ["capacity"]
        if any(c.need.pk == need_id for c in candidates):
            codes = ["contention", *[c for c in codes if c != "capacity"]]
        uncovered.append({
            "need": need_id, "venue": venues[need.venue_id].code, "specialty": specialties[need.specialty_id].code,
            "starts_at": need.starts_at.isoformat(), "ends_at": need.ends_at.isoformat(), "missing": left,
            "reasons": [{"code": c, "detail": str(REASONS[c])} for c in codes],
        })  # fmt: skip
    uncovered.sort(key=lambda u: (u["venue"], u["starts_at"], u["need"]))
    sources = {(c.kind, c.source.pk) for c in candidates}
    stats.update({
        "seconds": round(time.monotonic() - started, 2),
        "phases": {"read": round(read_at - started, 2), "solve": round(solved_at - read_at, 2),
                   "recheck": round(checked_at - solved_at, 2), "fingerprint": round(time.monotonic() - checked_at, 2)},
        "candidates": len(candidates), "dropped": dropped,
        "gap_officer_hours": round(sum(g * minutes(needs[i].starts_at, needs[i].ends_at) for i, g in gaps.items()) / 60, 2),
        "covered_officer_hours": round(sum(p["officer_hours"] for p in kept), 2),
    })  # fmt: skip
    return {
        "assignments": kept,
        "coverage_before": by_venue(rows),
        "coverage_after": by_venue(after),
        "uncovered": uncovered,
        "fingerprint": fingerprint(operation, [r for r in rows if r["id"] in gaps], sources, starts, ends),
        "stats": stats,
    }


def _recheck(proposal, placements, starts, ends):
    """Place each through the rule engine in a savepoint, then roll back: (kept, dropped, cover after)."""
    kept, dropped = [], []
    with transaction.atomic():
        for p in placements:
            try:
                transitions.create_assignment(actor=proposal.created_by, tell=False, **_placement_kwargs(p))
            except DomainError as exc:
                dropped.append({**p, "code": exc.code, "detail": str(exc.message)})
                continue
            kept.append(p)
        after = _need_rows(proposal.operation, proposal.venue_id, proposal.specialty_id, starts, ends)
        transaction.set_rollback(True)
    return kept, dropped, after


def _placement_kwargs(p: dict) -> dict:
    source = (
        {"k9_team": p["source"]} if p["kind"] == "team" else {"pledge_line": p["source"], "quantity": p["quantity"]}
    )
    venue = Venue.objects.get(pk=p["venue_id"])
    return {"venue": venue, "starts_at": dt.datetime.fromisoformat(p["starts_at"]),
            "ends_at": dt.datetime.fromisoformat(p["ends_at"]), "role": str(_("Proposal")), **source}  # fmt: skip


# ---- running and applying -----------------------------------------------------------------------------------


def request_proposal(*, actor, operation, venue=None, specialty=None, from_date=None, to_date=None) -> Proposal:
    """A running proposal for the scope, by a coordinator; its computation is queued after the commit."""
    require_coordinator(actor)
    proposal = transitions.start_proposal(
        actor=actor, operation=operation, venue=venue, specialty=specialty, from_date=from_date, to_date=to_date,
        expires_at=timezone.now() + LIFETIME,
    )  # fmt: skip
    transaction.on_commit(lambda: _queue(proposal.pk))
    return proposal


def _queue(proposal_id: int) -> None:
    # By name: deployments.tasks imports this module. A broker that is down fails the proposal at once
    # rather than leaving it running for ever.
    try:
        current_app.send_task(TASK, args=[proposal_id])
    except Exception as exc:
        transitions.finish_proposal(proposal_id, error=_("The task queue is unavailable: %(e)s") % {"e": exc})


def run_proposal(proposal_id: int) -> Proposal:
    """The task's body: compute, store, mark ready (or failed, with the error)."""
    proposal = Proposal.objects.select_related("operation", "created_by").get(pk=proposal_id)
    if proposal.status != Proposal.Status.RUNNING:
        return proposal

    def progress(pct):
        Proposal.objects.filter(pk=proposal.pk).update(progress=pct, updated_at=timezone.now())

    try:
        result = compute(proposal, progress)
    except Exception as exc:
        transitions.finish_proposal(proposal.pk, error=str(exc) or exc.__class__.__name__)
        raise
    return transitions.finish_proposal(proposal.pk, result=json.loads(json.dumps(result, default=str)))


def _describe_change(key: str, labels: dict) -> str:
    kind, pk = key.split(":")
    what = {"need": _("need"), "line": _("officer line"), "team": _("K9 team")}[kind]
    return _("%(what)s %(label)s changed") % {"what": what, "label": labels.get(key, pk)}


def apply_proposal(proposal_id: int, *, actor, indexes=None) -> list[Assignment]:
    """ready -> applied, by a coordinator: all the proposed assignments, or those at `indexes`, placed in
    one transaction through transitions.create_assignment (every rule checked again); one message per
    country. StaleProposal (nothing placed) if what it relied on changed or a placement is refused;
    ExpiredProposal once a day has passed."""
    require_coordinator(actor)
    proposal = Proposal.objects.select_related("operation").get(pk=proposal_id)
    if proposal.status == Proposal.Status.READY and proposal.expires_at <= timezone.now():
        transitions.expire_proposal(proposal.pk)
        proposal.status = Proposal.Status.EXPIRED
    if proposal.status == Proposal.Status.EXPIRED:
        raise ExpiredProposal(_("This proposal has expired (a proposal lasts one day): ask for a new one."))
    with transaction.atomic():
        proposal = transitions.lock_ready_proposal(proposal.pk)
        result = proposal.result
        proposed = result["assignments"]
        if indexes is None:
            indexes = list(range(len(proposed)))
        if not isinstance(indexes, list) or any(
            not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(proposed) for i in indexes
        ):
            raise ValidationError({"assignments": _("Give indexes of the proposed assignments (0 to %(n)s).")
                                   % {"n": max(len(proposed) - 1, 0)}})  # fmt: skip
        if not indexes:
            raise ValidationError({"assignments": _("Choose at least one proposed assignment.")})
        indexes = sorted(set(indexes))
        changes = _changes(proposal)
        if changes:
            raise StaleProposal(
                _("What this proposal relied on has changed: %(changes)s. Nothing was placed; ask for a new one.")
                % {"changes": "; ".join(changes)}, changes,
            )  # fmt: skip
        placed = []
        # Sources in a fixed order (kind, id, start): two applies lock them alike and wait, not deadlock.
        for i in sorted(indexes, key=lambda i: (proposed[i]["kind"], proposed[i]["source"], proposed[i]["starts_at"])):
            try:
                placed.append(transitions.create_assignment(actor=actor, tell=False, **_placement_kwargs(proposed[i])))
            except DomainError as exc:
                raise StaleProposal(
                    _("Assignment %(i)s (%(label)s at %(venue)s) is now refused: %(detail)s Nothing was placed.")
                    % {"i": i, "label": proposed[i]["label"], "venue": proposed[i]["venue"], "detail": exc.message},
                    [exc.code],
                ) from exc  # fmt: skip
        bulk.tell_planned(actor, placed)
        transitions.mark_proposal_applied(proposal, actor=actor, indexes=indexes, assignment_ids=[a.pk for a in placed])
    return placed


def _changes(proposal) -> list[str]:
    op = proposal.operation
    stored = proposal.result.get("fingerprint", {})
    starts, ends = scope_bounds(op, proposal.from_date, proposal.to_date)
    rows = {r["id"]: r for r in _need_rows(op, proposal.venue_id, proposal.specialty_id, starts, ends)}
    needs = [rows[int(k.split(":")[1])] for k in stored if k.startswith("need:") and int(k.split(":")[1]) in rows]
    sources = {(k.split(":")[0], int(k.split(":")[1])) for k in stored if not k.startswith("need:")}
    now = fingerprint(op, needs, sources, starts, ends)
    labels = {f"{p['kind']}:{p['source']}": p["label"] for p in proposal.result.get("assignments", [])}
    labels |= {f"need:{u['need']}": f"{u['venue']} {u['specialty']} {u['starts_at'][:16]}" for u in
               proposal.result.get("uncovered", [])}  # fmt: skip
    return [_describe_change(key, labels) for key in sorted(stored) if now.get(key) != stored[key]]

"""Proposals (SPEC §10): from the accepted capacity not yet used, the placements that fill the gaps of a
scope without breaking a rule, found by OR-Tools CP-SAT; then applied in one transaction.

How a proposal is made (`compute`):
1. the gaps: every need in scope minus its cover, from the one coverage computation (queries.need_coverage);
2. the candidates (deployments.candidates, set-wise with numpy): per need with a gap, each accepted line of
   its specialty with officers free over the need's window, and each accepted, ready, certified K9 team of
   its detection free then; filtered with the rule engine's checks written over arrays and never looser
   (availability, certification, readiness, legal status and language of every need the placement would
   cover, rest, travel and duty of a team against every live assignment within two days);
3. CP-SAT, day by day (deployments.proposal_days, deployments.solver): an integer per line candidate
   (officers), a boolean per team candidate; a line never has more officers on duty than accepted at any
   instant nor more officer-hours than allowed in any 24 h; a team never two candidates that overlap or
   breach rest or travel, nor more duty hours than allowed; a need gets at most its gap. Objectives,
   lexicographically (each stage keeps the optimum of those before): officer-hours covered; then language
   matches and the same venue as the source's days before; then the largest country's share of duty and
   travel. Each day has its own time limit (`day_limit`);
4. the placements inserted together in a savepoint that is rolled back and checked set-wise by the rules'
   own SQL (deployments.proposal_checks); a refused one is dropped (there should be none) and the cover
   after is measured there. Applying places each through the rule engine (transitions.create_assignment);
5. the quality: covered officer-hours against an upper bound computed in the same run
   (deployments.proposal_bound).

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
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.roles import require_coordinator
from deployments import bulk, proposal_checks, transitions
from deployments.candidates import Live, Pairs, Venues
from deployments.models import Assignment, Proposal, Venue, VenueNeed
from deployments.proposal_bound import upper_bound
from deployments.proposal_days import plan
from deployments.queries import need_coverage
from deployments.rules.base import day_bounds
from deployments.solver import DAY, minutes
from pledges.models import K9Team, Pledge, PledgeLine

TASK = "deployments.tasks.compute_proposal"
LIFETIME = dt.timedelta(days=1)
# Each day's CP-SAT time limit: the setting shared among the days, within these (deployments.proposal_days).
MIN_DAY_SECONDS = 0.3
MAX_DAY_SECONDS = 5.0
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


# Per source considered, a digest of its state and of its live assignments within a day of the scope, in one
# statement: the md5 of the rows as text, read in a fixed order (by id).
_SOURCES_SQL = """
WITH src AS (
    SELECT 'line' AS kind, l.id, concat_ws('|', l.officers_accepted, l.withdrawn_at, l.available_from,
           l.available_to, p.status, r.status, l.languages::text, l.legal_status, l.armed) AS state
    FROM pledges_pledgeline l JOIN pledges_pledge p ON p.id = l.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE l.id = ANY(%(lines)s::bigint[])
    UNION ALL
    SELECT 'team', t.id, concat_ws('|', t.accepted, t.withdrawn_at, t.available_from, t.available_to,
           t.certification_expires_on, p.status, r.status, t.legal_status, t.armed, t.microchip, t.pet_passport,
           t.rabies_vaccinated_on, t.echinococcus_treated_on)
    FROM pledges_k9team t JOIN pledges_pledge p ON p.id = t.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    WHERE t.id = ANY(%(teams)s::bigint[])
), live AS (
    SELECT CASE WHEN pledge_line_id IS NULL THEN 'team' ELSE 'line' END AS kind,
           COALESCE(pledge_line_id, k9_team_id) AS id,
           string_agg(concat_ws(',', id, starts_at, ends_at, quantity, venue_id), ';' ORDER BY id) AS rows
    FROM deployments_assignment
    WHERE (pledge_line_id = ANY(%(lines)s::bigint[]) OR k9_team_id = ANY(%(teams)s::bigint[]))
      AND status <> 'cancelled' AND starts_at < %(hi)s AND ends_at > %(lo)s
    GROUP BY 1, 2
)
SELECT src.kind, src.id, LEFT(md5(src.state || '#' || COALESCE(live.rows, '')), 16)
FROM src LEFT JOIN live ON live.kind = src.kind AND live.id = src.id
"""


def fingerprint(operation, needs: list[dict], sources, starts, ends) -> dict:
    """Per need (its figures and its cover) and per source considered, (kind, id), (its state and its live
    assignments near the scope), a short digest: apply compares them to say what changed."""
    out = {}
    for need in needs:
        out[f"need:{need['id']}"] = _digest(
            [need["quantity"], need["starts_at"], need["ends_at"], need["assigned"], need["languages"]]
        )
    params = {"lines": [pk for kind, pk in sources if kind == "line"],
              "teams": [pk for kind, pk in sources if kind == "team"], "lo": starts - DAY, "hi": ends + DAY}  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(_SOURCES_SQL, params)
        out |= {f"{kind}:{pk}": digest for kind, pk, digest in cur.fetchall()}
    return out


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


def day_limit(days: int) -> float:
    """Each day's CP-SAT time limit: PROPOSAL_TIME_LIMIT_SECONDS shared among the days, at least
    MIN_DAY_SECONDS, at most MAX_DAY_SECONDS (a day's model is proved optimal well within it)."""
    return min(max(settings.PROPOSAL_TIME_LIMIT_SECONDS / max(days, 1), MIN_DAY_SECONDS), MAX_DAY_SECONDS)


def compute(proposal: Proposal, progress=lambda pct: None) -> dict:
    """The proposal's result (see the module's docstring). Reads only; the savepoint of the final check is
    rolled back."""
    clock = {"started": time.monotonic()}
    operation = proposal.operation
    starts, ends = scope_bounds(operation, proposal.from_date, proposal.to_date)
    rows = _need_rows(operation, proposal.venue_id, proposal.specialty_id, starts, ends)
    gaps = {r["id"]: r["quantity"] - r["assigned"] for r in rows if r["quantity"] > r["assigned"]}
    needs = VenueNeed.objects.select_related("specialty").in_bulk(list(gaps))
    gap_needs = sorted(needs.values(), key=lambda n: (n.starts_at, n.pk))
    specialties = {n.specialty_id: n.specialty for n in gap_needs}
    k9 = {s.code.removeprefix("k9_") for s in specialties.values() if s.code.startswith("k9_")}
    lines, teams = _sources(operation, list(specialties), k9)
    venues = Venues(operation)
    live = Live([x.pk for x in lines], [x.pk for x in teams], starts - 2 * DAY, ends + 2 * DAY)
    clock["read"] = time.monotonic()
    pairs = Pairs(operation, gap_needs, gaps, lines, teams, live, venues)
    clock["candidates"] = time.monotonic()
    progress(20)
    days = len({n.starts_at.astimezone(zoneinfo.ZoneInfo(operation.timezone)).date() for n in gap_needs})
    planned = plan(operation, gap_needs, gaps, pairs, live, venues, day_limit(days), progress)
    chosen, candidates, stats = planned["chosen"], planned["candidates"], planned["stats"]
    clock["solved"] = time.monotonic()
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
    kept, dropped, after = _recheck(proposal, placements, starts, ends)
    clock["checked"] = time.monotonic()
    covered_by_need = defaultdict(int)
    for p in kept:
        covered_by_need[p["need"]] += p["quantity"] or 1
    with_candidates = {c.need.pk for c in candidates}
    why = {need.pk: pairs.why[i] for i, need in enumerate(gap_needs)}
    uncovered = []
    for need_id, gap in gaps.items():
        left = gap - covered_by_need[need_id]
        if left <= 0:
            continue
        need = needs[need_id]
        codes = sorted(why.get(need_id) or ()) or ["capacity"]
        if need_id in with_candidates:
            codes = ["contention", *[c for c in codes if c != "capacity"]]
        uncovered.append({
            "need": need_id, "venue": venues.by_id[need.venue_id].code, "specialty": specialties[need.specialty_id].code,
            "starts_at": need.starts_at.isoformat(), "ends_at": need.ends_at.isoformat(), "missing": left,
            "reasons": [{"code": c, "detail": str(REASONS[c])} for c in codes],
        })  # fmt: skip
    uncovered.sort(key=lambda u: (u["venue"], u["starts_at"], u["need"]))
    sources = {(c.kind, c.source.pk) for c in candidates}
    prints = fingerprint(operation, [r for r in rows if r["id"] in gaps], sources, starts, ends)
    clock["fingerprint"] = time.monotonic()
    covered = round(sum(p["officer_hours"] for p in kept), 2)
    bound = upper_bound(operation, gap_needs, gaps, pairs, live, lines, teams, starts, ends)
    stats.update({
        "seconds": round(time.monotonic() - clock["started"], 2),
        "phases": {name: round(clock[name] - clock[before], 2) for before, name in zip(
            ["started", "read", "candidates", "solved", "checked"],
            ["read", "candidates", "solved", "checked", "fingerprint"], strict=True)},
        "candidates": len(candidates), "pairs": len(pairs.need), "dropped": dropped,
        "gap_officer_hours": round(sum(g * minutes(needs[i].starts_at, needs[i].ends_at) for i, g in gaps.items()) / 60, 2),
        "covered_officer_hours": covered, "bound_officer_hours": bound,
        "quality": round(covered / bound, 4) if bound else 1.0,
    })  # fmt: skip
    stats["phases"]["bound"] = round(time.monotonic() - clock["fingerprint"], 2)
    return {
        "assignments": kept,
        "coverage_before": by_venue(rows),
        "coverage_after": by_venue(after),
        "uncovered": uncovered,
        "fingerprint": prints,
        "stats": stats,
    }


def _recheck(proposal, placements, starts, ends):
    """In a savepoint rolled back at the end: every placement inserted at once and checked set-wise by the
    rules' own SQL (deployments.proposal_checks): (kept, dropped, cover after). If the set cannot be inserted
    (a K9 team's exclusion constraint), each goes through the rule engine instead, as apply does."""
    kept, dropped = [], []
    with transaction.atomic():
        try:
            with transaction.atomic():
                made = proposal_checks.insert(proposal.created_by, placements, str(_("Proposal")))
        except IntegrityError:
            made = None
        if made is None:
            for p in placements:
                try:
                    transitions.create_assignment(actor=proposal.created_by, tell=False, **_placement_kwargs(p))
                except DomainError as exc:
                    dropped.append({**p, "code": exc.code, "detail": str(exc.message)})
                    continue
                kept.append(p)
        else:
            refused = proposal_checks.refused(proposal.operation, [a.pk for a in made])
            for p, a in zip(placements, made, strict=True):
                if a.pk in refused:
                    dropped.append({**p, "code": refused[a.pk][0], "detail": refused[a.pk][1]})
                else:
                    kept.append(p)
            Assignment.objects.filter(pk__in=list(refused)).delete()
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

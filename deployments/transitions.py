"""Placing people (SPEC §5, §10: every rule through deployments.rules) and every status change of an
assignment (SPEC §4)."""

import datetime as dt
import zoneinfo
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, RuleViolation
from core.history import create_all_by, save_by
from core.lifecycle import require_move
from core.roles import liaison_country, require_coordinator, require_coordinator_or_liaison_of
from deployments import rules
from deployments.models import Assignment, Proposal
from deployments.rules.availability import check_availability
from deployments.rules.certification import check_certification
from deployments.rules.readiness import check_k9_ready
from notifications.outbox import notify_other_side
from notifications.webhooks import write_deliveries, write_deliveries_for
from pledges.models import K9Team, Pledge, PledgeLine
from pledges.transitions import require_placeable
from reinforcements.rules import WARN

Status = Assignment.Status


def _fmt(value: dt.datetime, tz: str) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _check_placement(
    source, *, venue, starts_at, ends_at, quantity, exclude_id=None, timeline=None
) -> list[rules.Breach]:
    """Every placement rule (SPEC §5, §10), through the one engine (deployments.rules): raises
    RuleViolation at the first refused breach, returns the warned ones.

    `source` is a locked PledgeLine or K9Team: the lock serialises two coordinators placing the
    same capacity at the same moment, so duty, rest, travel and capacity hold under concurrency
    (the K9 overlap is held by the exclusion constraint too). `timeline`: a bulk placement's
    (deployments.rules.timeline), else the rules read the source's assignments with one query.
    """
    if starts_at is None or ends_at is None or starts_at >= ends_at:
        raise ValidationError({"ends_at": _("An assignment must start before it ends.")})
    if not isinstance(source, K9Team) and (not quantity or quantity < 1):
        raise ValidationError({"quantity": _("Assign at least one officer.")})
    ctx = rules.Context(
        source=source, venue=venue, starts_at=starts_at, ends_at=ends_at, quantity=quantity, exclude_id=exclude_id,
        timeline=timeline,
    )  # fmt: skip
    return rules.run(ctx)


def lock_source(*, pledge_line=None, k9_team=None):
    """Lock the pledge (shared) then the line or team (exclusive), always in that order.

    The shared pledge lock makes a placement wait for a withdrawal of the same pledge (which
    locks it for update) and then see its new status, while placements on different lines of
    one pledge still run side by side. The exclusive lock on the line or team serialises two
    coordinators placing the same capacity at the same moment.

    That lock is FOR NO KEY UPDATE, not FOR UPDATE: it still excludes every other placement or
    move of the line or team, but not the FOR KEY SHARE that the (deferred) foreign-key check of
    an assignment row takes on it at COMMIT. With FOR UPDATE, a placement or move holding a team
    waited (exclusion constraint) for another transaction's uncommitted overlapping row of that
    team, whose COMMIT waited for the team: a deadlock.
    """
    if (pledge_line is None) == (k9_team is None):
        raise ValidationError(_("Assign either officers of a pledge line (with a quantity) or one K9 team."))
    model, obj = (PledgeLine, pledge_line) if pledge_line is not None else (K9Team, k9_team)
    pk = getattr(obj, "pk", obj)
    # A line or team never changes pledge: an instance (a serializer's or a form's) names it unread.
    pledge_id = (
        getattr(obj, "pledge_id", None) or model.objects.filter(pk=pk).values_list("pledge_id", flat=True).first()
    )
    if pledge_id is None:
        raise model.DoesNotExist(f"No {model._meta.verbose_name} {pk}.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pledges_pledge WHERE id = %s FOR SHARE", [pledge_id])
    # A new statement, so (READ COMMITTED) it reads the pledge as committed by whoever held the lock.
    # A line's specialty comes along for the notification's text (not locked: `of`).
    related = ["pledge__request__operation"] + (["specialty"] if model is PledgeLine else [])
    source = model.objects.select_for_update(no_key=True, of=("self",)).select_related(*related).get(pk=pk)
    require_placeable(source)  # not on an ended request, not once withdrawn (pledges' rule, SPEC §4)
    return source


@contextmanager
def _overlap_refused():
    """A lost race on the K9 exclusion constraint, as the rule's own error.

    No savepoint: the error leaves the caller's transaction (the move's own atomic block) anyway,
    and that block rolls back to where the move began."""
    try:
        yield
    except IntegrityError as exc:
        if "deployments_assignment_k9_no_overlap" in str(exc):
            raise RuleViolation(
                _("This K9 team is already assigned at an overlapping time."), code=RuleViolation.OVERLAP
            ) from exc
        raise


def _save(assignment, actor):
    with _overlap_refused():
        save_by(assignment, actor)


def _tell(actor, assignment, event, **context):
    tz = assignment.pledge.request.operation.timezone  # the venue's too (a placement rule)
    context.setdefault("when", f"{_fmt(assignment.starts_at, tz)} – {_fmt(assignment.ends_at, tz)}")
    notify_other_side(
        actor, assignment.pledge.request.country, event, assignment, context=context,
    )  # fmt: skip


@transaction.atomic
def create_assignment(
    *, actor, venue, starts_at, ends_at, role="", pledge_line=None, quantity=None, k9_team=None, tell=True
) -> Assignment:
    """-> planned, by a coordinator, from accepted capacity; tells the country's liaisons.

    `tell=False` leaves the message to the caller: an import or an applied proposal sends one
    summary per country instead of one message per assignment (a bulk placement writes through
    `checked_assignment` and `save_checked` instead, deployments.bulk). Every placement rule is checked
    (deployments.rules): a refused breach raises RuleViolation; the breaches of rules in `warn` mode
    come back on the assignment as `.warnings`."""
    require_coordinator(actor)
    source = lock_source(pledge_line=pledge_line, k9_team=k9_team)
    assignment = checked_assignment(
        source, actor=actor, venue=venue, starts_at=starts_at, ends_at=ends_at, role=role, quantity=quantity
    )
    _save(assignment, actor)
    if tell:
        _tell(actor, assignment, "assignment_planned")
    else:  # people get the caller's summary; an integrating system still gets each assignment
        write_deliveries("assignment_planned", assignment, data={"country": source.pledge.request.country})
    return assignment


def checked_assignment(source, *, actor, venue, starts_at, ends_at, role="", quantity=None, timeline=None):
    """The new assignment of the locked `source`, checked by every placement rule, unsaved; the breaches
    of rules in `warn` mode on it as `.warnings` (placed, and listed as conflicts)."""
    is_team = isinstance(source, K9Team)
    quantity = None if is_team else quantity
    warnings = _check_placement(
        source, venue=venue, starts_at=starts_at, ends_at=ends_at, quantity=quantity, timeline=timeline
    )
    assignment = Assignment(
        pledge=source.pledge, pledge_line=None if is_team else source, k9_team=source if is_team else None,
        quantity=quantity, venue=venue, starts_at=starts_at, ends_at=ends_at, role=role or "", created_by=actor,
    )  # fmt: skip
    assignment.warnings = warnings
    return assignment


def save_checked(assignments, actor) -> list[Assignment]:
    """Write a bulk placement's checked assignments: one INSERT, one INSERT of their history rows (who,
    when), one of the hooks' deliveries (assignment.created for each). The K9 exclusion constraint still
    backs the overlap rule: a lost race becomes the rule's own error, and the caller rolls back."""
    with _overlap_refused():
        create_all_by(assignments, actor)
    write_deliveries_for(
        "assignment_planned", [(a, {"country": a.pledge.request.country}) for a in assignments]
    )  # fmt: skip
    return assignments


def _locked(assignment_id: int) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("pledge__request__operation", "venue")
        .get(pk=assignment_id)
    )


@transaction.atomic
def move_assignment(assignment_id: int, *, actor, venue=None, starts_at=None, ends_at=None, quantity=None, role=None):
    """Change a planned or confirmed assignment's venue, times, quantity or role, by a coordinator.
    A confirmed one goes back to planned, for the country to confirm again; its liaisons are told."""
    require_coordinator(actor)
    # Line or team first, then the assignment: the order every placement and withdrawal uses.
    line_id, team_id = Assignment.objects.values_list("pledge_line_id", "k9_team_id").get(pk=assignment_id)
    source = lock_source(pledge_line=line_id, k9_team=team_id)
    assignment = _locked(assignment_id)
    require_move(assignment, "move")
    venue = venue or assignment.venue
    starts_at, ends_at = starts_at or assignment.starts_at, ends_at or assignment.ends_at
    if assignment.pledge_line_id:
        quantity = quantity or assignment.quantity
    warnings = _check_placement(
        source, venue=venue, starts_at=starts_at, ends_at=ends_at, quantity=quantity, exclude_id=assignment.pk
    )
    assignment.venue, assignment.starts_at, assignment.ends_at = venue, starts_at, ends_at
    if assignment.pledge_line_id:
        assignment.quantity = quantity
    if role is not None:
        assignment.role = role
    assignment.status = Status.PLANNED
    _save(assignment, actor)
    _tell(actor, assignment, "assignment_moved")
    assignment.warnings = warnings
    return assignment


def _simple_move(
    assignment_id, actor, *, move, to, event, reason=None, liaison_may=False, tell=True, guard=None, context=None
):
    """The moves that change only the status (and reason). `guard(assignment)`: a further check of the
    locked row, after who and from-state. `liaison_may`: a liaison of the assignment's country may make the
    move as well as a coordinator (a liaison of another country never finds the row: 404 in pages and API).
    The message tells the other side who acted (`by`: "liaison" or "coordinator"), so its wording fits
    whoever reads it; `context`: more for the message and the hooks."""
    assignment = _locked(assignment_id)
    if liaison_may:
        require_coordinator_or_liaison_of(actor, assignment.pledge.request.country)
    else:
        require_coordinator(actor)
    require_move(assignment, move)
    if guard is not None:
        guard(assignment)
    assignment.status = to
    fields = ["status"]
    if reason is not None:
        assignment.status_reason = reason
        fields.append("status_reason")
    save_by(assignment, actor, update_fields=fields)
    by = "liaison" if liaison_country(actor) else "coordinator"
    if tell:
        _tell(actor, assignment, event, reason=reason or "", by=by, **(context or {}))
    else:  # people get the caller's digest (a bulk cancel); hooks still hear each assignment
        data = {"country": assignment.pledge.request.country, "reason": reason or "", "by": by}
        write_deliveries(event, assignment, data=data)
    return assignment


@transaction.atomic
def confirm_assignment(assignment_id: int, *, actor) -> Assignment:
    """planned -> confirmed, by a liaison of the country or a coordinator; tells the other side."""
    return _simple_move(
        assignment_id, actor, move="confirm", to=Status.CONFIRMED,
        event="assignment_confirmed", liaison_may=True,
    )  # fmt: skip


@transaction.atomic
def start_assignment(assignment_id: int, *, actor) -> Assignment:
    """planned|confirmed -> active (check-in: its people reported for duty), by a liaison of the country
    (their officers on the ground report it) or a coordinator; tells the other side. No time guard: a
    shift may begin early, and the move is what says it has."""
    return _simple_move(
        assignment_id, actor, move="start", to=Status.ACTIVE,
        event="assignment_started", liaison_may=True,
    )  # fmt: skip


@transaction.atomic
def complete_assignment(assignment_id: int, *, actor) -> Assignment:
    """active -> completed, by a liaison of the country or a coordinator; tells the other side."""
    return _simple_move(
        assignment_id, actor, move="complete", to=Status.COMPLETED,
        event="assignment_completed", liaison_may=True,
    )  # fmt: skip


@transaction.atomic
def cancel_assignment(assignment_id: int, *, actor, reason: str, tell=True) -> Assignment:
    """planned|confirmed|active -> cancelled, by a coordinator, with a reason; tells the liaisons
    (`tell=False`: the caller does, as a bulk cancel sends one message per country)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return _simple_move(
        assignment_id, actor, move="cancel", to=Status.CANCELLED,
        event="assignment_cancelled", reason=reason, tell=tell,
    )  # fmt: skip


@transaction.atomic
def record_no_show(assignment_id: int, *, actor, reason: str = "") -> Assignment:
    """planned|confirmed -> cancelled, once its start has passed (Assignment.has_started), by a liaison of
    the country or a coordinator: nobody reported for duty. A cancellation whose reason says so, followed
    by what the actor adds (no status of its own: the capacity is free again, as for any cancellation);
    tells the other side. A liaison must say what happened (`reason`): the ministry was not there to see
    it; a coordinator may add it."""
    reason = (reason or "").strip()
    text = _("No-show: nobody reported for duty.")

    def guard(assignment):  # after who and from-state: a stranger is refused as such, whatever they wrote
        if not assignment.has_started:
            raise ValidationError(_("A no-show is recorded once the assignment has started."))
        if not reason and liaison_country(actor):
            raise ValidationError({"reason": _("Say what happened: the ministry reads it with the no-show.")})

    # The message words the no-show in each reader's language (`no_show`), then the actor's own `details`.
    return _simple_move(
        assignment_id, actor, move="no_show", to=Status.CANCELLED,
        event="assignment_cancelled", reason=f"{text} {reason}" if reason else text, guard=guard,
        liaison_may=True, context={"no_show": True, "details": reason},
    )  # fmt: skip


def cancel_open_assignments_of(pledge, *, actor, reason: str, lines=None, k9_teams=None, **_signal) -> list[Assignment]:
    """Part of a pledge's withdrawal (inside its transaction, receiver of pledges.signals.capacity_withdrawn):
    the pledge's notification lists these. With `lines` / `k9_teams` (ids: a partial withdrawal), only the
    assignments of those.

    Locks the assignments only, not their venues (`of`): venues are shared by every pledge, and two
    withdrawals locking them along with their assignments could take them in opposite orders."""
    open_ones = Assignment.objects.filter(pledge=pledge, status__in=Assignment.OPEN_STATUSES)
    if lines is not None or k9_teams is not None:
        open_ones = open_ones.filter(Q(pledge_line_id__in=lines or ()) | Q(k9_team_id__in=k9_teams or ()))
    return _cancel_all(open_ones, actor, reason)


def cancel_open_assignments_of_request(request, *, actor, reason: str, **_signal) -> list[Assignment]:
    """A request declined or cancelled stands its people down (SPEC §4; receiver of
    reinforcements.signals.request_ended, inside the move's transaction): the open assignments of its
    pledges are cancelled with the reason; the move's notifications list them. A closed request keeps them.

    Its pledges are locked first (request, pledges, assignments: the order a withdrawal keeps too): a
    placement holds its pledge FOR SHARE, so one that began before this waits to be seen here, and one
    that begins after it waits for the commit, then reads the ended request and is refused."""
    if request.status not in request.STAND_DOWN_STATUSES:
        return []
    list(Pledge.objects.select_for_update().filter(request=request).order_by("pk").values_list("pk", flat=True))
    texts = {request.Status.DECLINED: _("Request declined: %s"), request.Status.CANCELLED: _("Request cancelled: %s")}
    open_ones = Assignment.objects.filter(pledge__request=request, status__in=Assignment.OPEN_STATUSES)
    return _cancel_all(open_ones, actor, texts[request.status] % reason)


def _cancel_all(assignments, actor, reason) -> list[Assignment]:
    cancelled = list(
        assignments.select_for_update(of=("self",))
        .select_related("venue", "k9_team", "pledge_line__specialty", "pledge__request")
        .order_by("pk")
    )  # fmt: skip
    for assignment in cancelled:
        assignment.status, assignment.status_reason = Status.CANCELLED, reason
        save_by(assignment, actor, update_fields=["status", "status_reason"])
    # People read these in the move's own message; an integrating system gets each cancellation.
    write_deliveries_for(
        "assignment_cancelled",
        [(a, {"country": a.pledge.request.country, "reason": reason}) for a in cancelled],
    )
    return cancelled


# What an accepted amendment's new data makes impossible (SPEC §4): the per-placement rules that read the line
# or team itself. Those about other people or venues (duty, rest, travel, needs) are left to the conflicts page.
AMENDMENT_RULES = (check_availability, check_certification, check_k9_ready)


def cancel_assignments_broken_by_change(
    pledge, *, actor, reason: str, lines=(), k9_teams=(), **_signal
) -> list[Assignment]:
    """Receiver of pledges.signals.capacity_changed, inside the amendment's decision (which holds the pledge,
    its lines and teams locked, so no placement runs meanwhile): each open assignment of those lines and
    teams is re-checked against their new data; those now refused are cancelled, with `reason` and the
    rule's message. A line whose accepted officers went down keeps its earliest placed assignments that
    still fit at every instant."""
    broken = []
    sources = [
        *PledgeLine.objects.filter(pk__in=lines or ()).select_related("pledge__request__operation"),
        *K9Team.objects.filter(pk__in=k9_teams or ()).select_related("pledge__request__operation"),
    ]
    for source in sources:
        field = "k9_team" if isinstance(source, K9Team) else "pledge_line"
        kept = []
        open_ones = Assignment.objects.filter(**{field: source}, status__in=Assignment.OPEN_STATUSES).order_by("pk")
        for assignment in open_ones.select_related("venue"):
            ctx = rules.Context(
                source=source, venue=assignment.venue, starts_at=assignment.starts_at, ends_at=assignment.ends_at,
                quantity=assignment.quantity, exclude_id=assignment.pk,
            )  # fmt: skip
            breach = next(
                (b for rule in AMENDMENT_RULES if (b := rule(ctx)) is not None and ctx.mode(b.code) != WARN),
                None,
            )
            if breach is None and field == "pledge_line" and _peak(kept, assignment) > source.officers_accepted:
                breach = rules.Breach(
                    RuleViolation.CAPACITY,
                    _("%(line)s now has %(n)s accepted officers: fewer than those placed at that time.")
                    % {"line": source, "n": source.officers_accepted},
                )
            if breach is None:
                kept.append(assignment)
            else:
                broken.append((assignment.pk, f"{reason}: {breach.message}"))
    cancelled = []
    for pk, why in broken:
        cancelled += _cancel_all(Assignment.objects.filter(pk=pk), actor, why)
    return cancelled


def _peak(kept, new) -> int:
    """The officers on duty at once, at the busiest instant of `new`, counting `new` and the `kept` ones."""
    points = [new.starts_at] + [a.starts_at for a in kept if new.starts_at < a.starts_at < new.ends_at]
    return max(new.quantity + sum(a.quantity for a in kept if a.starts_at <= point < a.ends_at) for point in points)


# ---- proposals (SPEC §10; computed and applied by deployments.proposals) ----------------------------------


@transaction.atomic
def start_proposal(*, actor, operation, expires_at, **scope):
    """-> running, by a coordinator."""
    require_coordinator(actor)
    return Proposal.objects.create(operation=operation, created_by=actor, expires_at=expires_at, **scope)


@transaction.atomic
def finish_proposal(proposal_id: int, *, result=None, error=""):
    """running -> ready with its result, or -> failed with the error (the task)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != Proposal.Status.RUNNING:
        raise InvalidTransition(proposal, "finish")
    if error:
        proposal.status, proposal.error = Proposal.Status.FAILED, error[:2000]
    else:
        proposal.status, proposal.result, proposal.progress = Proposal.Status.READY, result, 100
    proposal.save(update_fields=["status", "error", "result", "progress", "updated_at"])
    return proposal


@transaction.atomic
def expire_proposal(proposal_id: int):
    """running|ready -> expired, once a day has passed."""
    Proposal.objects.filter(
        pk=proposal_id, status__in=[Proposal.Status.RUNNING, Proposal.Status.READY], expires_at__lte=timezone.now()
    ).update(status=Proposal.Status.EXPIRED, updated_at=timezone.now())


def lock_ready_proposal(proposal_id: int):
    """The proposal, locked (inside the caller's transaction), if it may be applied: ready, not expired."""
    proposal = Proposal.objects.select_for_update().select_related("operation").get(pk=proposal_id)
    if proposal.status != Proposal.Status.READY or proposal.expires_at <= timezone.now():
        raise InvalidTransition(proposal, "apply")
    return proposal


def mark_proposal_applied(proposal, *, actor, indexes, assignment_ids):
    """ready -> applied, inside apply_proposal's transaction (the proposal locked), noting what was placed."""
    proposal.status = Proposal.Status.APPLIED
    proposal.result = {**proposal.result, "applied": {"indexes": indexes, "assignments": assignment_ids,
                                                      "by": actor.pk, "at": timezone.now().isoformat()}}  # fmt: skip
    proposal.save(update_fields=["status", "result", "updated_at"])
    return proposal

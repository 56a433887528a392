"""Placing people (SPEC §5) and every status change of an assignment (SPEC §4)."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from core.history import save_by
from core.lifecycle import require_move
from core.roles import require_coordinator, require_coordinator_or_liaison_of
from deployments.models import Assignment
from deployments.queries import line_peak_load
from notifications.outbox import notify_other_side
from pledges.models import K9Team, Pledge, PledgeLine

Status = Assignment.Status


def _day_bounds(first: dt.date, last: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, last+1 00:00) in the operation's time zone: whole days, as people say them."""
    zone = zoneinfo.ZoneInfo(tz)
    return (
        dt.datetime.combine(first, dt.time.min, zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone),
    )


def _fmt(value: dt.datetime, tz: str) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _check_placement(source, *, venue, starts_at, ends_at, quantity, exclude_id=None) -> None:
    """Every SPEC §5 rule but the K9 overlap, which the exclusion constraint also holds.

    `source` is a locked PledgeLine or K9Team: the lock serialises two coordinators
    placing the same capacity at the same moment.
    """
    if starts_at is None or ends_at is None or starts_at >= ends_at:
        raise ValidationError({"ends_at": _("An assignment must start before it ends.")})
    pledge = source.pledge
    operation = pledge.request.operation
    tz = operation.timezone
    is_team = isinstance(source, K9Team)
    accepted = source.accepted if is_team else source.officers_accepted > 0
    if pledge.status not in Pledge.ACCEPTED_STATUSES or not accepted:
        raise RuleViolation(
            _("Only accepted capacity can be assigned: this %(what)s was not accepted.")
            % {"what": _("K9 team") if is_team else _("officer line")},
            code=RuleViolation.NOT_ACCEPTED,
        )
    if venue.operation_id != operation.pk:
        raise RuleViolation(_("The venue belongs to another operation."), code=RuleViolation.VENUE)
    op_start, op_end = _day_bounds(operation.starts_on, operation.ends_on, tz)
    if starts_at < op_start or ends_at > op_end:
        raise RuleViolation(
            _("The operation runs from %(s)s to %(e)s; the assignment must fit inside.")
            % {"s": operation.starts_on, "e": operation.ends_on},
            code=RuleViolation.OPERATION_DATES,
        )
    av_start, av_end = _day_bounds(source.available_from, source.available_to, tz)
    if starts_at < av_start or ends_at > av_end:
        raise RuleViolation(
            _("%(who)s is available from %(s)s to %(e)s only.")
            % {"who": source, "s": source.available_from, "e": source.available_to},
            code=RuleViolation.AVAILABILITY,
        )
    if is_team:
        _cert_start, valid_until = _day_bounds(source.certification_expires_on, source.certification_expires_on, tz)
        if ends_at > valid_until:
            raise RuleViolation(
                _("%(team)s's certification expires on %(d)s, before the assignment ends.")
                % {"team": source, "d": source.certification_expires_on},
                code=RuleViolation.CERTIFICATION,
            )
        clash = (
            Assignment.objects.filter(k9_team=source, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(status=Status.CANCELLED)
            .exclude(pk=exclude_id)
            .first()
        )
        if clash:
            raise RuleViolation(
                _("%(team)s is already assigned from %(s)s to %(e)s at %(venue)s.")
                % {"team": source, "s": _fmt(clash.starts_at, tz), "e": _fmt(clash.ends_at, tz), "venue": clash.venue},
                code=RuleViolation.OVERLAP,
            )
    else:
        if not quantity or quantity < 1:
            raise ValidationError({"quantity": _("Assign at least one officer.")})
        peak = line_peak_load(source.pk, starts_at, ends_at, exclude_id=exclude_id)
        if peak + quantity > source.officers_accepted:
            raise RuleViolation(
                _("Only %(free)s of the %(n)s accepted officers of this line are free at that time; %(q)s asked.")
                % {"free": max(source.officers_accepted - peak, 0), "n": source.officers_accepted, "q": quantity},
                code=RuleViolation.CAPACITY,
            )


def _lock_source(*, pledge_line=None, k9_team=None):
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
    return model.objects.select_for_update(no_key=True, of=("self",)).select_related(*related).get(pk=pk)


def _save(assignment, actor):
    """Save, turning a lost race on the K9 exclusion constraint into the rule's own error.

    No savepoint: the error leaves the caller's transaction (the move's own atomic block) anyway,
    and that block rolls back to where the move began."""
    try:
        save_by(assignment, actor)
    except IntegrityError as exc:
        if "deployments_assignment_k9_no_overlap" in str(exc):
            raise RuleViolation(
                _("This K9 team is already assigned at an overlapping time."), code=RuleViolation.OVERLAP
            ) from exc
        raise


def _tell(actor, assignment, event, **context):
    tz = assignment.pledge.request.operation.timezone  # the venue's too (a placement rule)
    context.setdefault("when", f"{_fmt(assignment.starts_at, tz)} – {_fmt(assignment.ends_at, tz)}")
    notify_other_side(
        actor, assignment.pledge.request.country, event, assignment, context=context,
    )  # fmt: skip


@transaction.atomic
def create_assignment(
    *, actor, venue, starts_at, ends_at, role="", pledge_line=None, quantity=None, k9_team=None
) -> Assignment:
    """-> planned, by a coordinator, from accepted capacity; tells the country's liaisons."""
    require_coordinator(actor)
    source = _lock_source(pledge_line=pledge_line, k9_team=k9_team)
    is_team = isinstance(source, K9Team)
    quantity = None if is_team else quantity
    _check_placement(source, venue=venue, starts_at=starts_at, ends_at=ends_at, quantity=quantity)
    assignment = Assignment(
        pledge=source.pledge, pledge_line=None if is_team else source, k9_team=source if is_team else None,
        quantity=quantity, venue=venue, starts_at=starts_at, ends_at=ends_at, role=role or "", created_by=actor,
    )  # fmt: skip
    _save(assignment, actor)
    _tell(actor, assignment, "assignment_planned")
    return assignment


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
    source = _lock_source(pledge_line=line_id, k9_team=team_id)
    assignment = _locked(assignment_id)
    require_move(assignment, "move")
    venue = venue or assignment.venue
    starts_at, ends_at = starts_at or assignment.starts_at, ends_at or assignment.ends_at
    if assignment.pledge_line_id:
        quantity = quantity or assignment.quantity
    _check_placement(
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
    return assignment


def _simple_move(assignment_id, actor, *, move, to, event, reason=None, liaison_may=False):
    assignment = _locked(assignment_id)
    if liaison_may:
        require_coordinator_or_liaison_of(actor, assignment.pledge.request.country)
    else:
        require_coordinator(actor)
    require_move(assignment, move)
    assignment.status = to
    fields = ["status"]
    if reason is not None:
        assignment.status_reason = reason
        fields.append("status_reason")
    save_by(assignment, actor, update_fields=fields)
    _tell(actor, assignment, event, reason=reason or "")
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
    """planned|confirmed -> active, by a coordinator; tells the liaisons."""
    return _simple_move(
        assignment_id, actor, move="start", to=Status.ACTIVE,
        event="assignment_started",
    )  # fmt: skip


@transaction.atomic
def complete_assignment(assignment_id: int, *, actor) -> Assignment:
    """active -> completed, by a coordinator; tells the liaisons."""
    return _simple_move(
        assignment_id, actor, move="complete", to=Status.COMPLETED,
        event="assignment_completed",
    )  # fmt: skip


@transaction.atomic
def cancel_assignment(assignment_id: int, *, actor, reason: str) -> Assignment:
    """planned|confirmed|active -> cancelled, by a coordinator, with a reason; tells the liaisons."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return _simple_move(
        assignment_id, actor, move="cancel", to=Status.CANCELLED,
        event="assignment_cancelled", reason=reason,
    )  # fmt: skip


@transaction.atomic
def record_no_show(assignment_id: int, *, actor) -> Assignment:
    """planned|confirmed -> cancelled, once its start has passed, by a coordinator: nobody reported for
    duty. A cancellation whose reason says so (no status of its own: the capacity is free again, as for
    any cancellation); tells the liaisons."""
    assignment = _locked(assignment_id)
    require_coordinator(actor)
    require_move(assignment, "no_show")
    if assignment.starts_at > timezone.now():
        raise ValidationError(_("A no-show is recorded once the assignment has started."))
    return _simple_move(
        assignment_id, actor, move="no_show", to=Status.CANCELLED,
        event="assignment_cancelled", reason=_("No-show: nobody reported for duty."),
    )  # fmt: skip


def cancel_open_assignments_of(pledge, *, actor, reason: str, **_signal) -> list[Assignment]:
    """Part of a pledge's withdrawal (inside its transaction, receiver of pledges.signals.capacity_withdrawn):
    the pledge's notification lists these.

    Locks the assignments only, not their venues (`of`): venues are shared by every pledge, and two
    withdrawals locking them along with their assignments could take them in opposite orders."""
    cancelled = list(
        Assignment.objects.select_for_update(of=("self",)).filter(pledge=pledge, status__in=Assignment.OPEN_STATUSES)
        .select_related("venue")
    )  # fmt: skip
    for assignment in cancelled:
        assignment.status, assignment.status_reason = Status.CANCELLED, reason
        save_by(assignment, actor, update_fields=["status", "status_reason"])
    return cancelled

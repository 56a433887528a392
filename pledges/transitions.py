"""Every status change of a pledge (SPEC §4), and the edits its state allows."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import InvalidTransition, RuleViolation
from core.history import delete_by, save_by, update_all_by
from core.lifecycle import require_move
from core.roles import require_coordinator, require_liaison_of
from notifications.outbox import notify_other_side
from pledges.models import K9Team, Pledge, PledgeLine
from pledges.queries import children
from pledges.signals import capacity_withdrawn
from reinforcements.models import ReinforcementRequest

Status = Pledge.Status
PLEDGE_FIELDS = ("commander_name", "commander_contact", "notes")
# What a liaison writes on lines and teams; what the decision sets (accepted) is not among them.
LEGAL_FIELDS = ("legal_status", "armed", "powers")
LINE_FIELDS = ("specialty", "officers_offered", "available_from", "available_to", "languages", *LEGAL_FIELDS)
TEAM_FIELDS = (
    "handler_name", "dog_name", "dog_breed", "detection", "certification_expires_on", "available_from", "available_to",
    *LEGAL_FIELDS,
    "microchip", "pet_passport", "rabies_vaccinated_on", "echinococcus_treated_on",
)  # fmt: skip


# SPEC §4, what hangs from a request follows it: the refusal of each move once the request has ended.
_ENDED_REQUEST = {
    "pledge": _lazy("No pledge can be made on this request: it is %(status)s."),
    "submit": _lazy("This pledge cannot be submitted: its request is %(status)s."),
    "decide": _lazy("This pledge cannot be decided: its request is %(status)s."),
    "amend": _lazy("This pledge cannot be amended: its request is %(status)s."),
    "place": _lazy("No one from this pledge can be placed: its request is %(status)s."),
}


def require_request_live(request, move: str) -> None:
    """Refuse `move` (pledge, submit, decide, place) on a declined, cancelled or closed request: 409
    invalid_transition. The one place this rule lives: the moves below and deployments' placements ask it."""
    if request.has_ended:
        status = request.get_status_display().lower()
        raise InvalidTransition(request, move, message=_ENDED_REQUEST[move] % {"status": status})


def require_placeable(source) -> None:
    """May people of this line or team (locked, with its pledge and request) be placed? Not once its request
    has ended, nor once its country withdrew it (its decision stands, its capacity is gone). The rest of
    what a placement needs is deployments' rules."""
    require_request_live(source.pledge.request, "place")
    if source.is_withdrawn:
        raise RuleViolation(
            _("%(who)s was withdrawn by its country: it cannot be placed.") % {"who": source},
            code=RuleViolation.NOT_ACCEPTED,
        )


def _locked(pledge_id: int) -> Pledge:
    """The pledge, locked, after its request (FOR SHARE): the order a request's cancellation or decline
    takes (the request, then its pledges), so a submit or decision racing one waits for it and then
    sees the request ended, never the other way round."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {ReinforcementRequest._meta.db_table} r JOIN {Pledge._meta.db_table} p"
            " ON p.request_id = r.id WHERE p.id = %s FOR SHARE OF r",
            [pledge_id],
        )
    # With the operation: the notification texts name it and use its time zone.
    return Pledge.objects.select_for_update(of=("self",)).select_related("request__operation").get(pk=pledge_id)


def _lock_children(pledge: Pledge) -> Pledge:
    """Lock the pledge's lines and teams and keep them on it (`pledge.lines.all()`): the move, its
    notification texts and the caller's answer all read these, once."""
    prefetch_related_objects([pledge], *children(locked=True))
    return pledge


def _tell(actor, pledge, event, **context):
    notify_other_side(actor, pledge.request.country, event, pledge, context=context)


def _move(pledge, actor, to, fields=()):
    pledge.status = to
    save_by(pledge, actor, update_fields=["status", *fields])


@transaction.atomic
def create_pledge(*, actor, request_id: int, lines=(), k9_teams=(), **fields) -> Pledge:
    """A draft pledge on a sent or acknowledged request of the liaison's own country.

    `lines` and `k9_teams` are lists of field dicts (PledgeLine / K9Team fields).
    """
    request = ReinforcementRequest.objects.select_for_update().get(pk=request_id)
    require_liaison_of(actor, request.country)
    require_request_live(request, "pledge")
    require_move(request, "pledge")
    pledge = Pledge(request=request, created_by=actor, **{k: v for k, v in fields.items() if k in PLEDGE_FIELDS})
    pledge.full_clean()
    save_by(pledge, actor)
    _save_children(pledge, actor, lines, k9_teams)
    return pledge


@transaction.atomic
def update_pledge(pledge_id: int, *, actor, lines=None, k9_teams=None, **fields) -> Pledge:
    """Edit a draft or a pledge with changes requested. Children with an `id` are updated,
    without one created, and those left out deleted."""
    pledge = _locked(pledge_id)
    require_liaison_of(actor, pledge.request.country)
    require_move(pledge, "edit")
    for name, value in fields.items():
        if name in PLEDGE_FIELDS:
            setattr(pledge, name, value)
    pledge.full_clean()
    save_by(pledge, actor)
    _save_children(pledge, actor, lines, k9_teams)
    return pledge


def _save_children(pledge, actor, lines, k9_teams):
    errors = {}
    for key, model, rows, writable in (
        ("lines", PledgeLine, lines, LINE_FIELDS),
        ("k9_teams", K9Team, k9_teams, TEAM_FIELDS),
    ):
        if rows is None:
            continue
        # Withdrawn rows are kept as they are: not edited, not removed with those left out.
        manager = getattr(pledge, key).filter(withdrawn_at__isnull=True)
        existing = {obj.pk: obj for obj in manager}
        keep, row_errors = [], []
        for row in rows:
            row = dict(row)
            pk = row.pop("id", None)
            if pk is not None and pk not in existing:
                row_errors.append({"id": [_("No such item on this pledge.")]})
                continue
            obj = existing.get(pk) or model(pledge=pledge)
            for name, value in row.items():
                if name in writable:
                    setattr(obj, name, value)
            try:
                obj.full_clean(exclude=["pledge"])
            except ValidationError as exc:
                row_errors.append(exc.message_dict)
                continue
            row_errors.append({})
            keep.append(obj)
        if any(row_errors):
            errors[key] = row_errors
            continue
        for gone in manager.exclude(pk__in=[obj.pk for obj in keep if obj.pk]):
            delete_by(gone, actor)
        for obj in keep:
            save_by(obj, actor)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def submit_pledge(pledge_id: int, *, actor) -> Pledge:
    """draft|changes_requested -> submitted, by the pledge country's liaison; tells coordinators."""
    pledge = _locked(pledge_id)
    require_liaison_of(actor, pledge.request.country)
    require_request_live(pledge.request, "submit")
    require_move(pledge, "submit")
    _lock_children(pledge)
    if not (pledge.lines.all() or pledge.k9_teams.all()):
        raise ValidationError({"lines": _("Pledge at least one officer line or K9 team before submitting.")})
    pledge.submitted_by, pledge.submitted_at = actor, timezone.now()
    _move(pledge, actor, Status.SUBMITTED, ["submitted_by", "submitted_at"])
    _tell(actor, pledge, "pledge_submitted")
    return pledge


@transaction.atomic
def request_changes(pledge_id: int, *, actor, note: str) -> Pledge:
    """submitted -> changes_requested, by a coordinator, with a note; tells the liaisons."""
    pledge = _locked(pledge_id)
    require_coordinator(actor)
    require_move(pledge, "request_changes")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what should change.")})
    pledge.changes_note = note
    _move(pledge, actor, Status.CHANGES_REQUESTED, ["changes_note"])
    _tell(actor, pledge, "pledge_changes_requested", note=note)
    return pledge


@transaction.atomic
def decide_pledge(pledge_id: int, *, actor, decision_note: str = "", lines: dict, k9_teams: dict) -> Pledge:
    """submitted -> accepted | partially_accepted | rejected, by a coordinator; tells the liaisons.

    `lines` maps every line id to the officers accepted (0..offered); `k9_teams` every team id to a bool.
    """
    pledge = _locked(pledge_id)
    require_coordinator(actor)
    require_request_live(pledge.request, "decide")
    require_move(pledge, "decide")
    _lock_children(pledge)
    # A line or team withdrawn while the pledge was with the ministry is not decided (nor counted).
    all_lines = [line for line in pledge.lines.all() if not line.is_withdrawn]
    all_teams = [team for team in pledge.k9_teams.all() if not team.is_withdrawn]
    errors = {}
    try:
        lines = {int(pk): int(accepted) for pk, accepted in lines.items()}
        k9_teams = {int(pk): bool(accepted) for pk, accepted in k9_teams.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"lines": _("Give line ids with whole numbers of officers accepted.")}) from exc
    line_ids, team_ids = {line.pk for line in all_lines}, {team.pk for team in all_teams}
    if set(lines) != line_ids:
        errors["lines"] = _("Decide every officer line of this pledge, and only those (ids %(ids)s).") % {
            "ids": ", ".join(map(str, sorted(line_ids))) or "-"
        }
    if set(k9_teams) != team_ids:
        errors["k9_teams"] = _("Decide every K9 team of this pledge, and only those (ids %(ids)s).") % {
            "ids": ", ".join(map(str, sorted(team_ids))) or "-"
        }
    for line in all_lines:
        accepted = lines.get(line.pk, 0)
        if not 0 <= accepted <= line.officers_offered:
            errors["lines"] = _("Officers accepted must be between 0 and %(n)s (line %(id)s).") % {
                "n": line.officers_offered, "id": line.pk,
            }  # fmt: skip
    if errors:
        raise ValidationError(errors)
    for line in all_lines:
        line.officers_accepted = lines[line.pk]
    for team in all_teams:
        team.accepted = bool(k9_teams[team.pk])
    update_all_by(all_lines, actor, ["officers_accepted"])
    update_all_by(all_teams, actor, ["accepted"])
    full = all(line.officers_accepted == line.officers_offered for line in all_lines) and all(
        team.accepted for team in all_teams
    )
    nothing = not any(line.officers_accepted for line in all_lines) and not any(team.accepted for team in all_teams)
    status = Status.ACCEPTED if full else Status.REJECTED if nothing else Status.PARTIALLY_ACCEPTED
    pledge.decision_note, pledge.decided_by, pledge.decided_at = decision_note or "", actor, timezone.now()
    _move(pledge, actor, status, ["decision_note", "decided_by", "decided_at"])
    _tell(actor, pledge, "pledge_decided", status=pledge.get_status_display(), note=pledge.decision_note)
    return pledge


@transaction.atomic
def withdraw_pledge(pledge_id: int, *, actor, reason: str, lines=None, k9_teams=None) -> Pledge:
    """draft|submitted|changes_requested|accepted|partially_accepted -> withdrawn, by the liaison,
    with a reason. Cancels the pledge's open assignments; tells the coordinators, listing them.

    With `lines` and/or `k9_teams` (ids), only those are withdrawn, from a submitted, accepted or partially
    accepted pledge: each is marked withdrawn with the reason, only its open assignments are cancelled,
    and the coordinators are told once. Ids not of this pledge, or already withdrawn, refuse the whole
    call (nothing written). Withdrawing every line and team still standing withdraws the pledge."""
    pledge = _locked(pledge_id)
    require_liaison_of(actor, pledge.request.country)
    partial = lines is not None or k9_teams is not None
    if not partial:
        require_move(pledge, "withdraw")
    elif not pledge.can("withdraw_part"):
        if not pledge.can("withdraw"):
            raise InvalidTransition(pledge, "withdraw")
        raise InvalidTransition(
            pledge, "withdraw",
            message=_("Single lines or teams are withdrawn once the pledge is submitted; until then, edit the pledge."),
        )  # fmt: skip
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if partial:
        _lock_children(pledge)
        chosen_lines, chosen_teams = _standing(pledge, lines or (), k9_teams or ())
        still = [o for o in (*pledge.lines.all(), *pledge.k9_teams.all()) if not o.is_withdrawn]
        if len(still) > len(chosen_lines) + len(chosen_teams):
            return _withdraw_part(pledge, actor, reason, chosen_lines, chosen_teams)
    cancelled = _withdraw_capacity(pledge, actor, _("Pledge withdrawn: %s") % reason)
    pledge.withdraw_reason = reason
    _move(pledge, actor, Status.WITHDRAWN, ["withdraw_reason"])
    _tell(actor, pledge, "pledge_withdrawn", reason=reason, cancelled=cancelled)
    return pledge


def _standing(pledge, line_ids, team_ids) -> tuple[list, list]:
    """The pledge's lines and teams named by these ids, each still standing; else a 400 naming the rest."""
    errors, found = {}, []
    for key, rows, ids in (("lines", pledge.lines.all(), line_ids), ("k9_teams", pledge.k9_teams.all(), team_ids)):
        by_id = {obj.pk: obj for obj in rows}
        try:
            ids = list(dict.fromkeys(int(pk) for pk in ids))
        except (TypeError, ValueError):
            errors[key] = _("Give ids (whole numbers).")
            found.append([])
            continue
        unknown = [pk for pk in ids if pk not in by_id]
        gone = [pk for pk in ids if pk in by_id and by_id[pk].is_withdrawn]
        problems = []
        if unknown:
            problems.append(_("Not on this pledge: %(ids)s.") % {"ids": ", ".join(map(str, unknown))})
        if gone:
            problems.append(_("Already withdrawn: %(ids)s.") % {"ids": ", ".join(map(str, gone))})
        if problems:
            errors[key] = " ".join(problems)
        found.append([by_id[pk] for pk in ids if pk in by_id])
    if errors:
        raise ValidationError(errors)
    if not any(found):
        raise ValidationError({"lines": _("Name at least one line or K9 team to withdraw.")})
    return found[0], found[1]


def _withdraw_part(pledge, actor, reason, lines, teams) -> Pledge:
    now = timezone.now()
    for obj in (*lines, *teams):
        obj.withdrawn_at, obj.withdrawn_by, obj.withdraw_reason = now, actor, reason
    fields = ["withdrawn_at", "withdrawn_by", "withdraw_reason"]
    update_all_by(lines, actor, fields)
    update_all_by(teams, actor, fields)
    # Its lines are part of the pledge's representation: the change feed shows the pledge again.
    Pledge.objects.filter(pk=pledge.pk).update(updated_at=Now())
    cancelled = _withdraw_capacity(
        pledge, actor, _("Withdrawn from the pledge: %s") % reason,
        lines=[line.pk for line in lines], k9_teams=[team.pk for team in teams],
    )  # fmt: skip
    _tell(actor, pledge, "pledge_partly_withdrawn", reason=reason, lines=lines, teams=teams, cancelled=cancelled)
    return pledge


def _withdraw_capacity(pledge, actor, reason: str, **only) -> list:
    """What the apps above did about the withdrawn capacity (deployments: the cancelled assignments);
    `only`: lines= and k9_teams= ids, when only those are withdrawn."""
    answers = capacity_withdrawn.send(sender=Pledge, pledge=pledge, actor=actor, reason=reason, **only)
    return [item for _receiver, changed in answers for item in changed or ()]

"""Every status change of a pledge (SPEC §4), and the edits its state allows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import InvalidTransition, RuleViolation
from core.history import delete_by, save_by, update_all_by
from core.lifecycle import require_move
from core.roles import require_coordinator, require_liaison_of
from notifications.outbox import notify_other_side, notify_own_side
from pledges.models import Amendment, AmendmentChange, K9Team, Pledge, PledgeLine
from pledges.queries import children
from pledges.signals import capacity_changed, capacity_withdrawn
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


# Amendments (SPEC §4): a change set on a pledge already with the ministry, decided change by change.

Kind = AmendmentChange.Kind
# A team whose handler or dog changes is another team at the border and at the venue: a substitution.
SUBSTITUTION_FIELDS = ("handler_name", "dog_name")


def snapshot(obj, fields) -> dict:
    """A line's or team's writable fields as the API writes them (specialty by code, dates ISO)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if name == "specialty":
            value = obj.specialty.code if obj.specialty_id else None
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = list(value)
        out[name] = value
    return out


def _restore(model, data: dict) -> dict:
    """The field values of a snapshot, for the model (the inverse of `snapshot`)."""
    values = {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if name == "specialty":
            values["specialty"] = field.related_model.objects.get(code=value)
        else:
            values[name] = field.to_python(value)
    return values


@transaction.atomic
def amend_pledge(
    pledge_id: int, *, actor, note: str = "", lines=(), k9_teams=(), remove_lines=(), remove_k9_teams=()
) -> Amendment:
    """A change set on a submitted, accepted or partially accepted pledge, by its country's liaison; tells
    the coordinators once. `lines` / `k9_teams`: field dicts, those with an `id` change that line or team,
    those without one add one; `remove_*`: ids. Every item is validated as the pledge's own lines and teams
    are (and a team's certification must not have expired already); any error refuses the whole amendment
    (400, nothing written). One amendment awaits a decision at a time (409)."""
    pledge = _locked(pledge_id)
    require_liaison_of(actor, pledge.request.country)
    require_request_live(pledge.request, "amend")
    require_move(pledge, "amend")
    if pledge.amendments.filter(status=Amendment.Status.SUBMITTED).exists():
        raise InvalidTransition(
            pledge, "amend",
            message=_("This pledge already has an amendment awaiting a decision: wait for it, then amend again."),
        )  # fmt: skip
    _lock_children(pledge)
    errors, changes = {}, []
    for key, model, rows, fields, kinds in (
        ("lines", PledgeLine, lines, LINE_FIELDS, (Kind.ADD_LINE, Kind.CHANGE_LINE)),
        ("k9_teams", K9Team, k9_teams, TEAM_FIELDS, (Kind.ADD_TEAM, Kind.CHANGE_TEAM)),
    ):
        standing = {obj.pk: obj for obj in getattr(pledge, key).all() if not obj.is_withdrawn}
        row_errors = []
        for row in rows or ():
            row = dict(row)
            pk = row.pop("id", None)
            if pk is not None and pk not in standing:
                row_errors.append({"id": [_("No such line or team standing on this pledge.")]})
                continue
            existing = standing.get(pk)
            candidate = model(pledge=pledge) if existing is None else model(**{
                f.attname: getattr(existing, f.attname) for f in model._meta.concrete_fields
            })  # fmt: skip
            candidate.pledge = pledge
            for name, value in row.items():
                if name in fields:
                    setattr(candidate, name, value)
            if model is PledgeLine and candidate.officers_offered is not None:
                # What the decision would keep (a line's accepted officers never exceed its offer).
                candidate.officers_accepted = min(candidate.officers_accepted or 0, candidate.officers_offered)
            try:
                # The candidate is the row itself, changed: not a duplicate of it.
                candidate.full_clean(exclude=["pledge"], validate_unique=False)
                _still_certified(candidate, existing)
            except ValidationError as exc:
                row_errors.append(exc.message_dict)
                continue
            row_errors.append({})
            after = snapshot(candidate, fields)
            if existing is None:
                changes.append(AmendmentChange(kind=kinds[0], after=after))
            elif after != (before := snapshot(existing, fields)):
                changes.append(AmendmentChange(kind=kinds[1], target=pk, before=before, after=after))
        if any(row_errors):
            errors[key] = row_errors
    for key, children_key, ids, fields, kind in (
        ("remove_lines", "lines", remove_lines, LINE_FIELDS, Kind.REMOVE_LINE),
        ("remove_k9_teams", "k9_teams", remove_k9_teams, TEAM_FIELDS, Kind.REMOVE_TEAM),
    ):
        standing = {obj.pk: obj for obj in getattr(pledge, children_key).all() if not obj.is_withdrawn}
        unknown = [pk for pk in dict.fromkeys(ids or ()) if pk not in standing]
        if unknown:
            errors[key] = _("Not standing on this pledge: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
            continue
        for pk in dict.fromkeys(ids or ()):
            changes.append(AmendmentChange(kind=kind, target=pk, before=snapshot(standing[pk], fields)))
    if errors:
        raise ValidationError(errors)
    if not changes:
        raise ValidationError({"lines": _("This amendment changes nothing: change, add or remove a line or team.")})
    amendment = Amendment(pledge=pledge, note=(note or "").strip(), submitted_by=actor)
    amendment.full_clean(exclude=["pledge", "submitted_by"])
    amendment.save()
    for change in changes:
        change.amendment = amendment
    AmendmentChange.objects.bulk_create(changes)
    _tell(actor, pledge, "pledge_amended", amendment=amendment, changes=changes)
    return amendment


def _still_certified(team, existing) -> None:
    """A team added, substituted or with a new certification date must come certified: a date already past is
    a mistake, not a renewal. (An unchanged date is the decision's business, and the placements'.)"""
    if not isinstance(team, K9Team) or not team.certification_expires_on:
        return
    touched = existing is None or any(
        getattr(team, name) != getattr(existing, name) for name in (*SUBSTITUTION_FIELDS, "certification_expires_on")
    )
    if touched and team.certification_expires_on < timezone.localdate():
        raise ValidationError(
            {"certification_expires_on": _("This certification has already expired: give the renewed one.")}
        )


def _locked_amendment(amendment_id: int) -> tuple[Pledge, Amendment]:
    # The pledge first, for update, then its rows: the order a placement takes them (pledge FOR SHARE, then
    # the line or team), so a decision and a placement on the same team run one after the other, never
    # deadlock, and each sees what the other committed.
    pledge_id = Amendment.objects.filter(pk=amendment_id).values_list("pledge_id", flat=True).first()
    if pledge_id is None:
        raise Amendment.DoesNotExist(f"No amendment {amendment_id}.")
    pledge = _lock_children(_locked(pledge_id))
    return pledge, Amendment.objects.select_for_update().get(pk=amendment_id)


@transaction.atomic
def decide_amendment(amendment_id: int, *, actor, decision_note: str = "", changes: dict) -> Amendment:
    """submitted -> decided, by a coordinator: `changes` maps every change id to accepted (bool). Accepted
    changes are applied (an added line or team comes accepted in full; a changed line keeps its accepted
    officers up to the new offer; a removed one is withdrawn); rejected ones change nothing, and whatever
    the amendment does not touch keeps its decision and assignments. Assignments an accepted change makes
    impossible are cancelled with the reason (deployments, by signal); the liaisons are told, and the
    other coordinators too when assignments were cancelled: one message each."""
    pledge, amendment = _locked_amendment(amendment_id)
    require_coordinator(actor)
    require_move(amendment, "decide")
    require_request_live(pledge.request, "decide")
    all_changes = list(amendment.changes.all())
    try:
        answers = {int(pk): bool(accepted) for pk, accepted in changes.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"changes": _("Give change ids with true or false.")}) from exc
    ids = {change.pk for change in all_changes}
    if set(answers) != ids:
        raise ValidationError({"changes": _("Decide every change of this amendment, and only those (ids %(ids)s).")
                               % {"ids": ", ".join(map(str, sorted(ids)))}})  # fmt: skip
    lines = {line.pk: line for line in pledge.lines.all()}
    teams = {team.pk: team for team in pledge.k9_teams.all()}
    removed, substituted, changed = {"lines": [], "k9_teams": []}, [], {"lines": [], "k9_teams": []}
    now = timezone.now()
    for change in all_changes:
        change.accepted = answers[change.pk]
        if not change.accepted:
            continue
        model, rows, key = (PledgeLine, lines, "lines") if change.is_line else (K9Team, teams, "k9_teams")
        if change.kind in (Kind.ADD_LINE, Kind.ADD_TEAM):
            obj = model(pledge=pledge, **_restore(model, change.after))
            if model is PledgeLine:
                obj.officers_accepted = obj.officers_offered
            else:
                obj.accepted = True
            obj.full_clean(exclude=["pledge"])
            save_by(obj, actor)
            change.target = obj.pk
            continue
        obj = rows.get(change.target)
        if obj is None or obj.is_withdrawn:
            raise ValidationError({"changes": _("Change %(id)s: its line or team was withdrawn since; reject it.")
                                   % {"id": change.pk}})  # fmt: skip
        if change.kind in (Kind.REMOVE_LINE, Kind.REMOVE_TEAM):
            obj.withdrawn_at, obj.withdrawn_by = now, amendment.submitted_by
            obj.withdraw_reason = amendment.note or _("Removed by amendment #%(id)s.") % {"id": amendment.pk}
            save_by(obj, actor, update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
            removed[key].append(obj.pk)
            continue
        was = {name: getattr(obj, name) for name in SUBSTITUTION_FIELDS} if model is K9Team else {}
        for name, value in _restore(model, change.after).items():
            setattr(obj, name, value)
        if model is PledgeLine:
            obj.officers_accepted = min(obj.officers_accepted, obj.officers_offered)
        obj.full_clean(exclude=["pledge"])
        save_by(obj, actor)
        if any(getattr(obj, name) != value for name, value in was.items()):
            substituted.append((obj, was))
        else:
            changed[key].append(obj.pk)
    AmendmentChange.objects.bulk_update(all_changes, ["accepted", "target"])
    amendment.status, amendment.decided_by, amendment.decided_at = Amendment.Status.DECIDED, actor, now
    amendment.decision_note = (decision_note or "").strip()
    amendment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _settle_status(pledge, actor)
    cancelled = _cancel_what_changes_break(pledge, actor, amendment, removed, substituted, changed)
    context = {"amendment": amendment, "changes": all_changes, "cancelled": cancelled}
    _tell(actor, pledge, "amendment_decided", **context)
    if cancelled:
        notify_own_side(actor, pledge.request.country, "amendment_decided", pledge, context=context)
    return amendment


def _settle_status(pledge, actor) -> None:
    """A decided pledge whose capacity an amendment changed: accepted when every standing line and team is
    accepted in full, else partially accepted (what the decision would say of it now)."""
    if pledge.status not in Pledge.ACCEPTED_STATUSES:
        return
    standing_lines = pledge.lines.filter(withdrawn_at__isnull=True)
    standing_teams = pledge.k9_teams.filter(withdrawn_at__isnull=True)
    full = not standing_lines.exclude(officers_accepted=F("officers_offered")).exists() and not (
        standing_teams.filter(accepted=False).exists()
    )
    status = Status.ACCEPTED if full else Status.PARTIALLY_ACCEPTED
    if status != pledge.status:
        _move(pledge, actor, status)


def _cancel_what_changes_break(pledge, actor, amendment, removed, substituted, changed) -> list:
    cancelled = []
    if removed["lines"] or removed["k9_teams"]:
        cancelled += _withdraw_capacity(
            pledge, actor, _("Removed from the pledge by amendment #%(id)s.") % {"id": amendment.pk}, **removed
        )
    for team, was in substituted:
        reason = _("Team substituted by amendment #%(id)s (%(was)s → %(now)s).") % {
            "id": amendment.pk, "was": f"{was['handler_name']} & {was['dog_name']}", "now": team,
        }  # fmt: skip
        cancelled += _withdraw_capacity(pledge, actor, reason, lines=[], k9_teams=[team.pk])
    if changed["lines"] or changed["k9_teams"]:
        prefix = _("Amendment #%(id)s") % {"id": amendment.pk}
        answers = capacity_changed.send(sender=Pledge, pledge=pledge, actor=actor, reason=prefix, **changed)
        cancelled += [item for _receiver, items in answers for item in items or ()]
    return cancelled

"""The moves of an amendment (SPEC §4): a change set a country sends on a pledge already with the ministry,
decided change by change. pledges.transitions' sibling (one module would pass 500 lines); it shares its locks,
its notifications and its withdrawal of capacity."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.history import save_by
from core.lifecycle import require_move
from core.roles import require_coordinator, require_liaison_of
from notifications.outbox import notify_own_side
from pledges.models import Amendment, AmendmentChange, K9Team, Pledge, PledgeLine
from pledges.signals import capacity_changed
from pledges.transitions import (
    LINE_FIELDS,
    TEAM_FIELDS,
    Status,
    _lock_children,
    _locked,
    _move,
    _tell,
    _withdraw_capacity,
    require_request_live,
)

# Amendments (SPEC §4): a change set on a pledge already with the ministry, decided change by change.

Kind = AmendmentChange.Kind
# A team whose handler or dog changes is another team at the border and at the venue: a substitution.
SUBSTITUTION_FIELDS = ("handler_name", "dog_name")
# An amendment that would change nothing (a roster imported again, pledges nothing new): its error's code.
NO_CHANGE = "no_change"


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
    targets = [(change.is_line, change.target) for change in changes if change.target is not None]
    if len(targets) != len(set(targets)):
        errors["lines"] = _("Each line or team may change only once in an amendment (changed or removed).")
    if errors:
        raise ValidationError(errors)
    if not changes:
        nothing = _("This amendment changes nothing: change, add or remove a line or team.")
        raise ValidationError({"lines": ValidationError(nothing, code=NO_CHANGE)})
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
    if not pledge.can("amend"):
        # Withdrawn (or otherwise gone) since the country sent it: nothing left to apply it to.
        raise InvalidTransition(
            amendment, "decide",
            message=_("This amendment cannot be decided: its pledge is %(status)s.")
            % {"status": pledge.get_status_display().lower()},
        )  # fmt: skip
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
    amendment.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
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

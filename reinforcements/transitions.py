"""Every status change of a reinforcement request (SPEC §4). The only writer of `.status`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.history import delete_by, save_by
from core.lifecycle import require_move
from core.roles import require_coordinator, require_liaison_of
from notifications.outbox import notify_other_side, notify_own_side
from reinforcements.models import ReinforcementRequest, RequestLine
from reinforcements.signals import request_ended

Status = ReinforcementRequest.Status
# What a coordinator writes; status and its timestamps belong to the moves below.
REQUEST_FIELDS = (
    "operation", "country", "authority", "response_due", "period_start", "period_end", "message", "internal_notes",
)  # fmt: skip
# Who the request is addressed to is fixed once it has been sent: its liaisons already act on it.
ADDRESS_FIELDS = ("operation", "country", "authority")


def _writable(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if name in REQUEST_FIELDS}


def _locked(request_id: int) -> ReinforcementRequest:
    return ReinforcementRequest.objects.select_for_update(of=("self",)).select_related("operation").get(pk=request_id)


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    return reason


def _tell(actor, req, event, **context):
    notify_other_side(actor, req.country, event, req, context=context)


def _end(req, actor, to, event, reason=""):
    """Move to an ended state and let what hangs from the request follow it (SPEC §4): the apps above
    answer with the assignments they cancelled. The other side gets the move's own message, which lists
    them; the actor's side, when any were cancelled, one message listing them too."""
    _move(req, actor, to, reason)
    answers = request_ended.send(sender=ReinforcementRequest, request=req, actor=actor, reason=reason)
    cancelled = [item for _receiver, changed in answers for item in changed or ()]
    if event:
        _tell(actor, req, event, reason=reason, cancelled=cancelled)
    if cancelled:
        notify_own_side(
            actor, req.country, "request_assignments_cancelled", req,
            context={"reason": reason, "cancelled": cancelled, "status": req.get_status_display()},
        )  # fmt: skip
    return req


def _move(req, actor, to, reason=""):
    req.status, req.status_reason = to, reason
    fields = ["status", "status_reason"]
    if to == Status.SENT:
        req.sent_at = timezone.now()
        fields.append("sent_at")
    save_by(req, actor, update_fields=fields)


@transaction.atomic
def create_request(*, actor, lines: list[tuple], **fields) -> ReinforcementRequest:
    """A new draft; `lines` are (specialty, quantity) pairs. Coordinators only."""
    require_coordinator(actor)
    req = ReinforcementRequest(**_writable(fields))
    req.full_clean()
    save_by(req, actor)
    _replace_lines(req, lines, actor)
    return req


@transaction.atomic
def amend_request(request_id: int, *, actor, lines: list[tuple] | None = None, **changes) -> ReinforcementRequest:
    """Edit a draft, or amend a sent/acknowledged request: then its liaisons are told."""
    req = _locked(request_id)
    require_coordinator(actor)
    require_move(req, "amend")
    changes = _writable(changes)
    if not req.is_draft:
        fixed = [
            name for name in ADDRESS_FIELDS if name in changes and _value(changes[name]) != _value(getattr(req, name))
        ]
        if fixed:
            raise ValidationError({name: _("This cannot change once the request has been sent.") for name in fixed})
    for name, value in changes.items():
        setattr(req, name, value)
    req.full_clean(validate_unique=True)
    save_by(req, actor)
    if lines is not None:
        _replace_lines(req, lines, actor)
    if not req.is_draft:
        _tell(actor, req, "request_amended")
    return req


def _value(value):
    return getattr(value, "pk", value)


def _replace_lines(req, lines, actor):
    specialties = [specialty for specialty, _quantity in lines]
    if len(set(specialties)) != len(specialties):
        raise ValidationError({"lines": _("Each specialty may appear only once in a request.")})
    for line in req.lines.exclude(specialty__in=specialties):
        delete_by(line, actor)
    existing = {line.specialty_id: line for line in req.lines.all()}
    for specialty, quantity in lines:
        line = existing.get(specialty.pk) or RequestLine(request=req, specialty=specialty)
        line.quantity = quantity
        line.full_clean()
        save_by(line, actor)


@transaction.atomic
def send_request(request_id: int, *, actor) -> ReinforcementRequest:
    """draft -> sent, by a coordinator; tells the country's liaisons."""
    req = _locked(request_id)
    require_coordinator(actor)
    require_move(req, "send")
    if not req.lines.exists():
        raise DomainError(_("Add at least one line before sending the request."), code="empty_request")
    _move(req, actor, Status.SENT)
    _tell(actor, req, "request_sent")
    return req


@transaction.atomic
def acknowledge_request(request_id: int, *, actor) -> ReinforcementRequest:
    """sent -> acknowledged, by a liaison of the country; tells the coordinators."""
    req = _locked(request_id)
    require_liaison_of(actor, req.country)
    require_move(req, "acknowledge")
    _move(req, actor, Status.ACKNOWLEDGED)
    _tell(actor, req, "request_acknowledged")
    return req


@transaction.atomic
def decline_request(request_id: int, *, actor, reason: str) -> ReinforcementRequest:
    """sent|acknowledged -> declined, by a liaison of the country, with a reason; tells the coordinators.
    The open assignments of its (accepted) pledges are cancelled: both sides are told, once each."""
    req = _locked(request_id)
    require_liaison_of(actor, req.country)
    require_move(req, "decline")
    return _end(req, actor, Status.DECLINED, "request_declined", _require_reason(reason))


@transaction.atomic
def cancel_request(request_id: int, *, actor, reason: str) -> ReinforcementRequest:
    """draft|sent|acknowledged -> cancelled, by a coordinator, with a reason; tells the liaisons if it was sent.
    The open assignments of its pledges are cancelled: both sides are told, once each."""
    req = _locked(request_id)
    require_coordinator(actor)
    require_move(req, "cancel")
    # A draft was never sent: its liaisons know nothing of it (and nothing hangs from it).
    event = "" if req.is_draft else "request_cancelled"
    return _end(req, actor, Status.CANCELLED, event, _require_reason(reason))


@transaction.atomic
def close_request(request_id: int, *, actor) -> ReinforcementRequest:
    """sent|acknowledged -> closed, by a coordinator; tells the liaisons. Its assignments stay; nothing new
    can be pledged, submitted, decided or placed on it."""
    req = _locked(request_id)
    require_coordinator(actor)
    require_move(req, "close")
    return _end(req, actor, Status.CLOSED, "request_closed")

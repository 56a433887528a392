"""Every state × move of the request lifecycle (SPEC §4), on the transition functions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import InvalidTransition
from notifications.models import Notification
from reinforcements.models import ReinforcementRequest
from reinforcements.queries import visible_requests
from reinforcements.transitions import (
    acknowledge_request,
    amend_request,
    cancel_request,
    close_request,
    create_request,
    decline_request,
    send_request,
)
from tests.factories import OperationFactory, RequestFactory, RequestLineFactory, specialty

pytestmark = pytest.mark.django_db

STATES = ["draft", "sent", "acknowledged", "declined", "cancelled", "closed"]
# move -> (who may, {from: to})
MOVES = {
    "send": ("coordinator", {"draft": "sent"}),
    "acknowledge": ("liaison", {"sent": "acknowledged"}),
    "decline": ("liaison", {"sent": "declined", "acknowledged": "declined"}),
    "cancel": ("coordinator", {"draft": "cancelled", "sent": "cancelled", "acknowledged": "cancelled"}),
    "close": ("coordinator", {"sent": "closed", "acknowledged": "closed"}),
}
CALLS = {
    "send": lambda pk, actor: send_request(pk, actor=actor),
    "acknowledge": lambda pk, actor: acknowledge_request(pk, actor=actor),
    "decline": lambda pk, actor: decline_request(pk, actor=actor, reason="No officers to spare."),
    "cancel": lambda pk, actor: cancel_request(pk, actor=actor, reason="Need covered."),
    "close": lambda pk, actor: close_request(pk, actor=actor),
}
CASES = [(state, move) for state in STATES for move in MOVES]


def a_request(status):
    request = RequestFactory(status=status, country="PL")
    RequestLineFactory(request=request)
    return request


def actor_for(move, coordinator, liaison_pl):
    return coordinator if MOVES[move][0] == "coordinator" else liaison_pl


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] in MOVES[c[1]][1]])
def test_a_legal_move_reaches_its_state(state, move, coordinator, liaison_pl):
    request = a_request(state)

    result = CALLS[move](request.pk, actor_for(move, coordinator, liaison_pl))

    request.refresh_from_db()
    assert result.status == request.status == MOVES[move][1][state]


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] not in MOVES[c[1]][1]])
def test_an_illegal_move_is_refused_and_changes_nothing(state, move, coordinator, liaison_pl):
    request = a_request(state)

    with pytest.raises(InvalidTransition) as err:
        CALLS[move](request.pk, actor_for(move, coordinator, liaison_pl))

    request.refresh_from_db()
    assert request.status == state
    assert err.value.code == "invalid_transition"


@pytest.mark.parametrize("move", ["send", "cancel", "close"])
def test_a_viewer_or_a_liaison_cannot_make_a_coordinator_move(move, viewer, liaison_pl):
    request = a_request("draft" if move == "send" else "sent")

    for actor in (viewer, liaison_pl):
        with pytest.raises(PermissionDenied):
            CALLS[move](request.pk, actor)

    request.refresh_from_db()
    assert request.status == ("draft" if move == "send" else "sent")


@pytest.mark.parametrize("move", ["acknowledge", "decline"])
def test_only_a_liaison_of_the_country_answers_a_request(move, coordinator, viewer, liaison_de):
    request = a_request("sent")

    for actor in (coordinator, viewer, liaison_de):
        with pytest.raises(PermissionDenied):
            CALLS[move](request.pk, actor)

    request.refresh_from_db()
    assert request.status == "sent"


def test_a_request_without_lines_cannot_be_sent(coordinator):
    request = RequestFactory(status="draft")

    with pytest.raises(Exception, match="at least one line"):
        send_request(request.pk, actor=coordinator)


def test_declining_needs_a_reason(liaison_pl):
    request = a_request("sent")

    with pytest.raises(ValidationError):
        decline_request(request.pk, actor=liaison_pl, reason="  ")


def test_sending_records_who_and_when_and_tells_the_liaisons(coordinator, liaison_pl):
    request = a_request("draft")
    before = timezone.now()

    send_request(request.pk, actor=coordinator)

    last = request.history.first()
    assert (last.status, last.history_user) == ("sent", coordinator)
    assert last.history_date >= before
    assert Notification.objects.filter(recipient=liaison_pl, event="request_sent").exists()


def test_a_coordinator_creates_a_draft_with_its_lines(coordinator):
    operation = OperationFactory()

    request = create_request(
        actor=coordinator, operation=operation, country="PT", period_start=operation.starts_on,
        period_end=operation.ends_on, lines=[(specialty("public_order"), 30), (specialty("mounted"), 5)],
        status="closed",
    )  # fmt: skip

    assert request.status == "draft"
    assert sorted(request.lines.values_list("quantity", flat=True)) == [5, 30]
    assert request.history.first().history_user == coordinator


def test_amending_a_sent_request_tells_its_liaisons(coordinator, liaison_pl):
    request = a_request("sent")

    amend_request(request.pk, actor=coordinator, message="Please also send mounted police.")

    assert Notification.objects.filter(recipient=liaison_pl, event="request_amended").exists()


def test_a_sent_request_cannot_be_readdressed_to_another_country(coordinator):
    request = a_request("sent")

    with pytest.raises(ValidationError):
        amend_request(request.pk, actor=coordinator, country="DE")

    request.refresh_from_db()
    assert request.country == "PL"


@pytest.mark.parametrize("state", ["declined", "cancelled", "closed"])
def test_a_finished_request_cannot_be_amended(state, coordinator):
    request = a_request(state)

    with pytest.raises(InvalidTransition):
        amend_request(request.pk, actor=coordinator, message="Too late.")


def test_amending_cannot_write_the_status(coordinator):
    request = a_request("draft")

    amend_request(request.pk, actor=coordinator, status="closed", message="Changed")

    request.refresh_from_db()
    assert (request.status, request.message) == ("draft", "Changed")


def test_status_is_not_an_editable_field():
    assert ReinforcementRequest._meta.get_field("status").editable is False


def test_a_request_cancelled_before_it_was_sent_does_not_exist_for_the_liaison(coordinator, liaison_pl):
    draft = RequestFactory(country="PL", status="draft")

    cancel_request(draft.pk, actor=coordinator, reason="Typo in the country")

    assert not visible_requests(liaison_pl).filter(pk=draft.pk).exists()

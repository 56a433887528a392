"""Every state × move of the assignment lifecycle (SPEC §4), on the transition functions."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import InvalidTransition
from deployments.transitions import (
    cancel_assignment,
    complete_assignment,
    confirm_assignment,
    move_assignment,
    record_no_show,
    start_assignment,
)
from notifications.models import Notification, WebhookDelivery
from tests.factories import AssignmentFactory, WebhookFactory, at

pytestmark = pytest.mark.django_db

STATES = ["planned", "confirmed", "active", "completed", "cancelled"]
# Who: the role the table's cases run as. A liaison's move (confirm, and the day's check-in, completion and
# no-show: their officers on the ground report it) is a coordinator's too; the others are a coordinator's only.
MOVES = {
    "confirm": ("liaison", {"planned": "confirmed"}),
    "start": ("liaison", {"planned": "active", "confirmed": "active"}),
    "complete": ("liaison", {"active": "completed"}),
    "cancel": ("coordinator", {"planned": "cancelled", "confirmed": "cancelled", "active": "cancelled"}),
    # A change sends a confirmed assignment back to its country for confirmation.
    "move": ("coordinator", {"planned": "planned", "confirmed": "planned"}),
    # Nobody came (the factory's shift started in 2024): cancelled, with the reason saying so.
    "no_show": ("liaison", {"planned": "cancelled", "confirmed": "cancelled"}),
}
CALLS = {
    "confirm": lambda pk, actor: confirm_assignment(pk, actor=actor),
    "start": lambda pk, actor: start_assignment(pk, actor=actor),
    "complete": lambda pk, actor: complete_assignment(pk, actor=actor),
    "cancel": lambda pk, actor: cancel_assignment(pk, actor=actor, reason="Event moved."),
    "move": lambda pk, actor: move_assignment(pk, actor=actor, starts_at=at(26, 9), ends_at=at(26, 17)),
    "no_show": lambda pk, actor: record_no_show(pk, actor=actor, reason="The team missed the train."),
}
CASES = [(state, move) for state in STATES for move in MOVES]


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] in MOVES[c[1]][1]])
def test_a_legal_move_reaches_its_state(state, move, coordinator, liaison_pl):
    assignment = AssignmentFactory(status=state)

    CALLS[move](assignment.pk, coordinator if MOVES[move][0] == "coordinator" else liaison_pl)

    assignment.refresh_from_db()
    assert assignment.status == MOVES[move][1][state]


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] not in MOVES[c[1]][1]])
def test_an_illegal_move_is_refused_and_changes_nothing(state, move, coordinator, liaison_pl):
    assignment = AssignmentFactory(status=state)

    with pytest.raises(InvalidTransition):
        CALLS[move](assignment.pk, coordinator if MOVES[move][0] == "coordinator" else liaison_pl)

    assignment.refresh_from_db()
    assert assignment.status == state


def test_a_coordinator_may_confirm_too(coordinator):
    assignment = AssignmentFactory(status="planned")

    confirm_assignment(assignment.pk, actor=coordinator)

    assignment.refresh_from_db()
    assert assignment.status == "confirmed"


def test_a_liaison_of_another_country_or_a_viewer_cannot_confirm(liaison_de, viewer):
    assignment = AssignmentFactory(status="planned")

    for actor in (liaison_de, viewer):
        with pytest.raises(PermissionDenied):
            confirm_assignment(assignment.pk, actor=actor)

    assignment.refresh_from_db()
    assert assignment.status == "planned"


@pytest.mark.parametrize("move", ["cancel", "move"])
def test_only_a_coordinator_cancels_or_moves_an_assignment(move, liaison_pl, viewer):
    assignment = AssignmentFactory(status="planned")

    for actor in (liaison_pl, viewer):
        with pytest.raises(PermissionDenied):
            CALLS[move](assignment.pk, actor)


ON_THE_DAY = {"start": "planned", "complete": "active", "no_show": "confirmed"}


@pytest.mark.parametrize("move", ON_THE_DAY)
def test_a_coordinator_runs_the_day_too(move, coordinator):
    assignment = AssignmentFactory(status=ON_THE_DAY[move])

    CALLS[move](assignment.pk, coordinator)

    assignment.refresh_from_db()
    assert assignment.status == MOVES[move][1][ON_THE_DAY[move]]
    assert assignment.history.first().history_user == coordinator


@pytest.mark.parametrize("move", ON_THE_DAY)
def test_a_liaison_of_another_country_or_a_viewer_cannot_run_the_day(move, liaison_de, viewer):
    assignment = AssignmentFactory(status=ON_THE_DAY[move], pledge_line__pledge__request__country="PL")

    for actor in (liaison_de, viewer):
        with pytest.raises(PermissionDenied):
            CALLS[move](assignment.pk, actor)

    assignment.refresh_from_db()
    assert assignment.status == ON_THE_DAY[move]


@pytest.mark.parametrize(
    ("move", "event"), [("start", "assignment_started"), ("complete", "assignment_completed"),
                        ("no_show", "assignment_cancelled")],
)  # fmt: skip
def test_a_liaisons_report_of_the_day_records_who_and_tells_the_coordinators(move, event, liaison_pl, coordinator):
    assignment = AssignmentFactory(status=ON_THE_DAY[move])

    CALLS[move](assignment.pk, liaison_pl)

    assert assignment.history.first().history_user == liaison_pl
    told = Notification.objects.filter(event=event, channel="in_app")
    assert {n.recipient for n in told} == {coordinator}
    assert "liaison officer" in told.get().body


def test_confirming_records_who_and_tells_the_coordinators(liaison_pl, coordinator):
    assignment = AssignmentFactory(status="planned")

    confirm_assignment(assignment.pk, actor=liaison_pl)

    assert assignment.history.first().history_user == liaison_pl
    assert Notification.objects.filter(recipient=coordinator, event="assignment_confirmed").exists()


def test_a_hook_hears_who_reported_the_day(liaison_pl):
    hook = WebhookFactory(events=["assignment.started"])
    assignment = AssignmentFactory(status="confirmed")

    start_assignment(assignment.pk, actor=liaison_pl)

    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.event, delivery.payload["data"]["by"]) == ("assignment.started", "liaison")
    assert delivery.payload["data"]["status"] == "active"

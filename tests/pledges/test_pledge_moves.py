"""Every state × move of the pledge lifecycle (SPEC §4), and the decision's arithmetic."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import InvalidTransition
from deployments.models import Assignment
from notifications.models import Notification
from pledges.amendment_transitions import amend_pledge
from pledges.transitions import (
    create_pledge,
    decide_pledge,
    request_changes,
    submit_pledge,
    update_pledge,
    withdraw_pledge,
)
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    specialty,
)

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "changes_requested", "accepted", "partially_accepted", "rejected", "withdrawn"]
MOVES = {
    "submit": ("liaison", {"draft": "submitted", "changes_requested": "submitted"}),
    "request_changes": ("coordinator", {"submitted": "changes_requested"}),
    "decide": ("coordinator", {"submitted": "accepted"}),
    "withdraw": ("liaison", dict.fromkeys(["draft", "submitted", "changes_requested", "accepted", "partially_accepted"], "withdrawn")),
    "edit": ("liaison", {"draft": "draft", "changes_requested": "changes_requested"}),
    # One line of two withdrawn: the pledge stands, in the state it was (SPEC §4, partial withdrawal).
    "withdraw_part": ("liaison", {s: s for s in ["submitted", "accepted", "partially_accepted"]}),
    # A change set goes to the coordinators; the pledge keeps its state meanwhile (SPEC §4, amendments).
    "amend": ("liaison", {s: s for s in ["submitted", "accepted", "partially_accepted"]}),
}  # fmt: skip


def call(move, pledge, actor):
    line = pledge.lines.get()
    return {
        "submit": lambda: submit_pledge(pledge.pk, actor=actor),
        "request_changes": lambda: request_changes(pledge.pk, actor=actor, note="Give arrival dates."),
        "decide": lambda: decide_pledge(pledge.pk, actor=actor, lines={line.pk: line.officers_offered}, k9_teams={}),
        "withdraw": lambda: withdraw_pledge(pledge.pk, actor=actor, reason="Recalled home."),
        "edit": lambda: update_pledge(pledge.pk, actor=actor, notes="Arriving by train."),
        "amend": lambda: amend_pledge(
            pledge.pk,
            actor=actor,
            note="One more officer.",
            lines=[{"id": line.pk, "officers_offered": line.officers_offered + 1}],
        ),
        "withdraw_part": lambda: (
            PledgeLineFactory(pledge=pledge, officers_offered=5),
            withdraw_pledge(pledge.pk, actor=actor, reason="One unit recalled.", lines=[line.pk]),
        )[1],
    }[move]()


def a_pledge(status):
    pledge = PledgeFactory(status=status, request__country="PL")
    PledgeLineFactory(pledge=pledge, officers_offered=10)
    return pledge


CASES = [(state, move) for state in STATES for move in MOVES]


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] in MOVES[c[1]][1]])
def test_a_legal_move_reaches_its_state(state, move, coordinator, liaison_pl):
    pledge = a_pledge(state)
    actor = coordinator if MOVES[move][0] == "coordinator" else liaison_pl

    call(move, pledge, actor)

    pledge.refresh_from_db()
    assert pledge.status == MOVES[move][1][state]


@pytest.mark.parametrize(("state", "move"), [c for c in CASES if c[0] not in MOVES[c[1]][1]])
def test_an_illegal_move_is_refused_and_changes_nothing(state, move, coordinator, liaison_pl):
    pledge = a_pledge(state)
    actor = coordinator if MOVES[move][0] == "coordinator" else liaison_pl

    with pytest.raises(InvalidTransition):
        call(move, pledge, actor)

    pledge.refresh_from_db()
    assert pledge.status == state


@pytest.mark.parametrize(("move", "state"), [("request_changes", "submitted"), ("decide", "submitted")])
def test_only_a_coordinator_judges_a_pledge(move, state, viewer, liaison_pl):
    pledge = a_pledge(state)

    for actor in (viewer, liaison_pl):
        with pytest.raises(PermissionDenied):
            call(move, pledge, actor)


@pytest.mark.parametrize(("move", "state"), [("submit", "draft"), ("withdraw", "accepted"), ("edit", "draft")])
def test_only_a_liaison_of_the_pledge_country_acts_for_it(move, state, coordinator, viewer, liaison_de):
    pledge = a_pledge(state)

    for actor in (coordinator, viewer, liaison_de):
        with pytest.raises(PermissionDenied):
            call(move, pledge, actor)

    pledge.refresh_from_db()
    assert pledge.status == state


def line_rows():
    return [
        {"specialty": specialty("public_order"), "officers_offered": 12, "available_from": dt.date(2024, 7, 20),
         "available_to": dt.date(2024, 8, 12), "languages": ["pl", "en"]},
    ]  # fmt: skip


@pytest.mark.parametrize("status", ["sent", "acknowledged"])
def test_a_liaison_pledges_on_an_open_request_of_their_country(status, liaison_pl):
    request = RequestFactory(country="PL", status=status)

    pledge = create_pledge(
        actor=liaison_pl,
        request_id=request.pk,
        commander_name="Insp. Nowak",
        commander_contact="+48 22 000 00 00",
        lines=line_rows(),
    )

    assert (pledge.status, pledge.lines.get().officers_offered, pledge.created_by) == ("draft", 12, liaison_pl)


@pytest.mark.parametrize("status", ["draft", "declined", "cancelled", "closed"])
def test_no_pledge_on_a_request_that_is_not_open(status, liaison_pl):
    request = RequestFactory(country="PL", status=status)

    with pytest.raises(InvalidTransition):
        create_pledge(
            actor=liaison_pl,
            request_id=request.pk,
            commander_name="Insp. Nowak",
            commander_contact="+48 22 000 00 00",
            lines=line_rows(),
        )


def test_no_pledge_on_another_country_request(liaison_de, coordinator):
    request = RequestFactory(country="PL", status="sent")

    for actor in (liaison_de, coordinator):
        with pytest.raises(PermissionDenied):
            create_pledge(actor=actor, request_id=request.pk, commander_name="Hauptkommissar", lines=line_rows())


def test_a_canine_specialty_cannot_be_pledged_as_an_officer_line(liaison_pl):
    request = RequestFactory(country="PL", status="sent")
    rows = line_rows()
    rows[0]["specialty"] = specialty("k9_explosives")

    with pytest.raises(ValidationError):
        create_pledge(
            actor=liaison_pl,
            request_id=request.pk,
            commander_name="Insp. Nowak",
            commander_contact="+48 22 000 00 00",
            lines=rows,
        )


def test_editing_cannot_set_what_the_decision_sets(liaison_pl):
    pledge = a_pledge("draft")
    line = pledge.lines.get()

    update_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 8, "officers_accepted": 8}])

    line.refresh_from_db()
    assert (line.officers_offered, line.officers_accepted) == (8, 0)


def test_an_empty_pledge_cannot_be_submitted(liaison_pl):
    pledge = PledgeFactory(status="draft", request__country="PL")

    with pytest.raises(ValidationError):
        submit_pledge(pledge.pk, actor=liaison_pl)


# (officers accepted per line of 10 offered, K9 teams accepted) -> status
DECISIONS = [
    ([10, 10], [True], "accepted"),
    ([10], [], "accepted"),
    ([], [True, True], "accepted"),
    ([0, 0], [False], "rejected"),
    ([0], [], "rejected"),
    ([], [False], "rejected"),
    ([10, 4], [True], "partially_accepted"),
    ([10, 10], [False], "partially_accepted"),
    ([0, 0], [True], "partially_accepted"),
    ([], [True, False], "partially_accepted"),
    ([1], [], "partially_accepted"),
]


@pytest.mark.parametrize(("lines", "teams", "expected"), DECISIONS)
def test_the_decision_sets_the_status(lines, teams, expected, coordinator):
    pledge = PledgeFactory(status="submitted", request__country="PL")
    line_objs = [PledgeLineFactory(pledge=pledge, officers_offered=10) for _ in lines]
    team_objs = [K9TeamFactory(pledge=pledge) for _ in teams]

    decide_pledge(
        pledge.pk, actor=coordinator, decision_note="Thank you.",
        lines={line.pk: n for line, n in zip(line_objs, lines, strict=True)},
        k9_teams={team.pk: ok for team, ok in zip(team_objs, teams, strict=True)},
    )  # fmt: skip

    pledge.refresh_from_db()
    assert pledge.status == expected
    assert [line.officers_accepted for line in pledge.lines.all()] == lines
    assert [team.accepted for team in pledge.k9_teams.all()] == teams


def test_the_decision_must_cover_every_line_and_team(coordinator):
    pledge = a_pledge("submitted")
    K9TeamFactory(pledge=pledge)

    with pytest.raises(ValidationError):
        decide_pledge(pledge.pk, actor=coordinator, lines={pledge.lines.get().pk: 10}, k9_teams={})

    pledge.refresh_from_db()
    assert pledge.status == "submitted"


@pytest.mark.parametrize("accepted", [-1, 11])
def test_the_decision_accepts_between_zero_and_the_offer(accepted, coordinator):
    pledge = a_pledge("submitted")

    with pytest.raises(ValidationError):
        decide_pledge(pledge.pk, actor=coordinator, lines={pledge.lines.get().pk: accepted}, k9_teams={})


def test_the_decision_records_who_decided_and_when(coordinator):
    pledge = a_pledge("submitted")

    decide_pledge(pledge.pk, actor=coordinator, lines={pledge.lines.get().pk: 10}, k9_teams={})

    pledge.refresh_from_db()
    assert (pledge.decided_by, pledge.history.first().history_user) == (coordinator, coordinator)
    assert pledge.decided_at is not None and pledge.history.first().history_date >= pledge.decided_at


def test_the_decision_writes_a_history_row_per_line_and_team_naming_the_coordinator(coordinator):
    pledge = a_pledge("submitted")
    second = PledgeLineFactory(pledge=pledge, specialty=specialty("river"), officers_offered=4)
    team = K9TeamFactory(pledge=pledge)
    first = pledge.lines.exclude(pk=second.pk).get()

    decide_pledge(pledge.pk, actor=coordinator, lines={first.pk: 10, second.pk: 1}, k9_teams={team.pk: True})

    rows = [obj.history.first() for obj in (first, second, team)]
    assert [(row.history_type, row.history_user) for row in rows] == [("~", coordinator)] * 3
    assert [rows[0].officers_accepted, rows[1].officers_accepted, rows[2].accepted] == [10, 1, True]
    assert all(row.history_date >= pledge.history.earliest().history_date for row in rows)


def test_withdrawing_cancels_the_open_assignments_and_tells_the_coordinators(coordinator, liaison_pl):
    pledge = a_pledge("accepted")
    line = pledge.lines.get()
    line.officers_accepted = 10
    line.save()
    open_ones = [AssignmentFactory(pledge_line=line, status=s) for s in ("planned", "confirmed", "active")]
    done = AssignmentFactory(pledge_line=line, status="completed")

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled home.")

    assert set(Assignment.objects.filter(pk__in=[a.pk for a in open_ones]).values_list("status", flat=True)) == {
        "cancelled"
    }
    done.refresh_from_db()
    assert done.status == "completed"
    assert Notification.objects.filter(recipient=coordinator, event="pledge_withdrawn").exists()
    assert Assignment.objects.get(pk=open_ones[0].pk).history.first().history_user == liaison_pl


def test_removing_a_line_records_who_removed_it(liaison_pl):
    pledge = a_pledge("draft")
    line = pledge.lines.get()

    update_pledge(pledge.pk, actor=liaison_pl, lines=[])

    assert not pledge.lines.exists()
    assert line.history.first().history_type == "-"
    assert line.history.first().history_user == liaison_pl

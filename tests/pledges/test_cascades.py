"""What hangs from a request follows it (SPEC §4): nothing is pledged, submitted, decided or placed on a
declined, cancelled or closed request, and a declined or cancelled one stands its people down."""

from functools import partial

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from deployments.models import Assignment
from deployments.transitions import create_assignment, move_assignment
from notifications.models import Notification
from pledges.models import Pledge
from pledges.transitions import create_pledge, decide_pledge, submit_pledge
from reinforcements.transitions import cancel_request, close_request, decline_request
from tests.api.conftest import client_as
from tests.deployments.test_concurrency import race
from tests.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    LiaisonFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db

ENDED = ["declined", "cancelled", "closed"]


def _pledge_on(request, status):
    pledge = PledgeFactory(request=request, status=status)
    PledgeLineFactory(pledge=pledge, officers_offered=10, officers_accepted=10 if status == "accepted" else 0)
    return pledge


def _place(req, actor, line):
    venue = VenueFactory(operation=req.operation)
    return create_assignment(
        actor=actor, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), pledge_line=line, quantity=2
    )


# move: (who, arrange(request) -> what the move acts on, act(request, actor, it))
MOVES = {
    "pledge": ("liaison_pl", lambda req: None, lambda req, actor, _: create_pledge(
        actor=actor, request_id=req.pk, commander_name="Insp. Nowak", commander_contact="+48 22 000 00 00")),
    "submit": ("liaison_pl", lambda req: _pledge_on(req, "draft"),
               lambda req, actor, pledge: submit_pledge(pledge.pk, actor=actor)),
    "decide": ("coordinator", lambda req: _pledge_on(req, "submitted"),
               lambda req, actor, p: decide_pledge(p.pk, actor=actor, lines={p.lines.get().pk: 10}, k9_teams={})),
    "place": ("coordinator", lambda req: _pledge_on(req, "accepted").lines.get(), _place),
    "move": ("coordinator", lambda req: AssignmentFactory(pledge_line=_pledge_on(req, "accepted").lines.get()),
             lambda req, actor, a: move_assignment(a.pk, actor=actor, starts_at=at(26, 9), ends_at=at(26, 17))),
}  # fmt: skip
WORDS = {
    "pledge": "No pledge can be made on this request: it is {}.",
    "submit": "This pledge cannot be submitted: its request is {}.",
    "decide": "This pledge cannot be decided: its request is {}.",
    "place": "No one from this pledge can be placed: its request is {}.",
    "move": "No one from this pledge can be placed: its request is {}.",
}


@pytest.mark.parametrize("state", ENDED)
@pytest.mark.parametrize("move", MOVES)
def test_each_move_on_an_ended_request_is_refused_as_an_invalid_transition_and_writes_nothing(
    move, state, request, coordinator, liaison_pl
):
    req = RequestFactory(country="PL", status=state)
    who, arrange, act = MOVES[move]
    target = arrange(req)
    before = _snapshot()

    with pytest.raises(DomainError) as refused:
        act(req, request.getfixturevalue(who), target)

    assert refused.value.code == "invalid_transition"
    assert refused.value.message == WORDS[move].format(state)
    assert _snapshot() == before


def _snapshot():
    return (
        list(Pledge.objects.order_by("pk").values_list("pk", "status")),
        list(Assignment.objects.order_by("pk").values_list("pk", "status", "starts_at")),
    )


def test_the_refusal_is_in_the_users_language(liaison_pl):
    pledge = _pledge_on(RequestFactory(country="PL", status="cancelled"), "draft")

    with translation.override("fr"), pytest.raises(DomainError) as refused:
        submit_pledge(pledge.pk, actor=liaison_pl)

    assert refused.value.message == "Cette offre ne peut pas être soumise : sa demande est annulée."


def test_submitting_over_the_api_on_a_closed_request_answers_409_invalid_transition(liaison_pl):
    pledge = _pledge_on(RequestFactory(country="PL", status="closed"), "draft")

    response = client_as(liaison_pl).post(f"/api/v1/pledges/{pledge.pk}/submit/")

    pledge.refresh_from_db()
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This pledge cannot be submitted: its request is closed.",
        "code": "invalid_transition",
    }
    assert pledge.status == "draft"


def test_placing_over_the_api_on_a_declined_request_answers_409_invalid_transition(coordinator):
    req = RequestFactory(country="PL", status="declined")
    line = _pledge_on(req, "accepted").lines.get()
    venue = VenueFactory(operation=req.operation)
    body = {"venue": venue.pk, "pledge_line": line.pk, "quantity": 2, "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T16:00:00+02:00"}  # fmt: skip

    response = client_as(coordinator).post("/api/v1/assignments/", body)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not Assignment.objects.exists()


def test_deciding_on_the_review_page_of_a_cancelled_request_is_refused_in_words(client, coordinator):
    pledge = _pledge_on(RequestFactory(country="PL", status="cancelled"), "submitted")
    line = pledge.lines.get()
    client.force_login(coordinator)

    response = client.post(reverse("pledge_decide", args=[pledge.pk]), {f"line_{line.pk}": "10"})

    pledge.refresh_from_db()
    assert response.status_code == 200
    assert "This pledge cannot be decided: its request is cancelled." in response.content.decode()
    assert pledge.status == "submitted"


def _placed(req):
    """An accepted pledge of `req` with one assignment in each state."""
    line = _pledge_on(req, "accepted").lines.get()
    return {
        state: AssignmentFactory(pledge_line=line, status=state, quantity=1, starts_at=at(20 + i, 8),
                                 ends_at=at(20 + i, 12))
        for i, state in enumerate(["planned", "confirmed", "active", "completed", "cancelled"])
    }  # fmt: skip


def _statuses(assignments):
    return {state: Assignment.objects.get(pk=a.pk).status for state, a in assignments.items()}


def test_cancelling_a_request_cancels_the_open_assignments_of_its_pledges_with_the_reason(coordinator):
    req = RequestFactory(country="PL", status="acknowledged")
    placed = _placed(req)
    elsewhere = AssignmentFactory(pledge_line=accepted_line(pledge__request__country="DE"))  # untouched

    cancel_request(req.pk, actor=coordinator, reason="The event is called off.")

    assert _statuses(placed) == {
        "planned": "cancelled", "confirmed": "cancelled", "active": "cancelled", "completed": "completed",
        "cancelled": "cancelled",
    }  # fmt: skip
    assert (
        Assignment.objects.get(pk=placed["planned"].pk).status_reason == "Request cancelled: The event is called off."
    )
    assert Assignment.objects.get(pk=elsewhere.pk).status == "planned"


def test_declining_after_acceptance_cancels_the_open_assignments_with_the_reason(liaison_pl):
    req = RequestFactory(country="PL", status="sent")
    placed = _placed(req)

    decline_request(req.pk, actor=liaison_pl, reason="Needed at home.")

    assert _statuses(placed)["confirmed"] == "cancelled"
    assert Assignment.objects.get(pk=placed["active"].pk).status_reason == "Request declined: Needed at home."


def test_closing_a_request_keeps_its_assignments_but_refuses_new_ones(coordinator):
    req = RequestFactory(country="PL", status="acknowledged")
    placed = _placed(req)

    close_request(req.pk, actor=coordinator)

    assert _statuses(placed)["planned"] == "planned"
    assert _statuses(placed)["confirmed"] == "confirmed"
    with pytest.raises(DomainError) as refused:
        _place(req, coordinator, placed["planned"].pledge_line)
    assert refused.value.code == "invalid_transition"
    assert Assignment.objects.filter(pledge__request=req).count() == 5


def test_a_cascade_refuses_a_k9_team_too(coordinator):
    team = accepted_team(pledge__request__status="cancelled")
    venue = VenueFactory(operation=team.pledge.request.operation)

    with pytest.raises(DomainError) as refused:
        create_assignment(actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), k9_team=team)

    assert refused.value.code == "invalid_transition"


def _told(event):
    return sorted(
        Notification.objects.filter(event=event, channel="in_app").values_list("recipient__username", flat=True)
    )


def test_cancelling_tells_each_liaison_and_each_other_coordinator_once_listing_every_cancelled_assignment(
    coordinator, coordinators
):
    liaisons = [LiaisonFactory(country="PL"), LiaisonFactory(country="PL", language="fr")]
    req = RequestFactory(country="PL", status="acknowledged")
    _placed(req)

    cancel_request(req.pk, actor=coordinator, reason="Called off.")

    in_app = Notification.objects.filter(channel="in_app")
    assert _told("request_cancelled") == sorted(u.username for u in liaisons)
    assert _told("request_assignments_cancelled") == sorted(u.username for u in coordinators)
    assert not in_app.filter(event="assignment_cancelled").exists()
    assert in_app.count() == len(liaisons) + len(coordinators)
    body = in_app.get(event="request_cancelled", recipient=liaisons[0]).body
    assert "These 3 assignments were cancelled:" in body


def test_declining_after_acceptance_tells_each_coordinator_and_each_other_liaison_once(liaison_pl, coordinators):
    other = LiaisonFactory(country="PL")
    req = RequestFactory(country="PL", status="sent")
    _placed(req)

    decline_request(req.pk, actor=liaison_pl, reason="Needed at home.")

    assert _told("request_declined") == sorted(u.username for u in coordinators)
    assert _told("request_assignments_cancelled") == [other.username]
    assert Notification.objects.filter(channel="in_app").count() == len(coordinators) + 1
    fr = Notification.objects.get(event="request_assignments_cancelled", channel="in_app")
    assert "These 3 assignments were cancelled:" in fr.body


def test_a_cancellation_with_nothing_placed_tells_the_liaisons_only(coordinator, coordinators):
    liaison = LiaisonFactory(country="PL")
    req = RequestFactory(country="PL", status="sent")

    cancel_request(req.pk, actor=coordinator, reason="Called off.")

    assert _told("request_cancelled") == [liaison.username]
    assert not Notification.objects.filter(event="request_assignments_cancelled").exists()


def test_an_assignment_a_closed_request_keeps_can_no_longer_be_moved(coordinator):
    line = accepted_line()
    assignment = AssignmentFactory(pledge_line=line, status="planned")
    close_request(line.pledge.request.pk, actor=coordinator)

    with pytest.raises(DomainError):
        move_assignment(assignment.pk, actor=coordinator, starts_at=at(26, 9), ends_at=at(26, 17))

    assignment.refresh_from_db()
    assert (assignment.status, assignment.starts_at) == ("planned", at(26, 8))


@pytest.mark.django_db(transaction=True)
def test_a_placement_racing_a_cancellation_never_leaves_people_on_duty_for_a_cancelled_request():
    planner, canceller = CoordinatorFactory(), CoordinatorFactory()
    for round_ in range(10):
        operation = OperationFactory(code=f"cancel-race-{round_}")
        line = accepted_line(officers=10, pledge__request__country="PL", pledge__request__operation=operation)
        venue = VenueFactory(operation=operation)

        results = race(
            partial(
                create_assignment, actor=planner, venue=venue, pledge_line=line, quantity=2,
                starts_at=at(26, 8), ends_at=at(26, 16),
            ),
            partial(cancel_request, line.pledge.request_id, actor=canceller, reason="Called off."),
        )  # fmt: skip

        assert not any(isinstance(r, Exception) and not isinstance(r, DomainError) for r in results), results
        assert not Assignment.objects.filter(pledge_line=line).exclude(status="cancelled").exists()


@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_a_cancellation_never_leaves_a_pledge_submitted_on_a_cancelled_request(liaison_pl):
    canceller = CoordinatorFactory()
    for round_ in range(10):
        operation = OperationFactory(code=f"submit-race-{round_}")
        pledge = PledgeFactory(status="draft", request__country="PL", request__operation=operation)
        PledgeLineFactory(pledge=pledge, officers_offered=10)

        results = race(
            partial(submit_pledge, pledge.pk, actor=liaison_pl),
            partial(cancel_request, pledge.request_id, actor=canceller, reason="Called off."),
        )

        assert not any(isinstance(r, Exception) and not isinstance(r, DomainError) for r in results), results
        pledge.refresh_from_db()
        pledge.request.refresh_from_db()
        assert pledge.request.status == "cancelled"
        if isinstance(results[0], Exception):
            assert pledge.status == "draft"
        else:  # the submission went through: it must have been written before the cancellation, not after
            submitted = pledge.history.filter(status="submitted").earliest("history_date").history_date
            cancelled = pledge.request.history.filter(status="cancelled").earliest("history_date").history_date
            assert submitted < cancelled

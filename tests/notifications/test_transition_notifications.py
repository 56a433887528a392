"""Every move of SPEC §4 tells the other side (SPEC §6), in each recipient's language, with a link."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from deployments.transitions import (
    cancel_assignment,
    complete_assignment,
    confirm_assignment,
    create_assignment,
    move_assignment,
    start_assignment,
)
from notifications.models import Notification
from pledges.transitions import decide_pledge, request_changes, submit_pledge, withdraw_pledge
from reinforcements.transitions import (
    acknowledge_request,
    amend_request,
    cancel_request,
    close_request,
    decline_request,
    send_request,
)
from tests.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    LiaisonFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    accepted_line,
    at,
)

pytestmark = pytest.mark.django_db


def told(event):
    """Who got the in-app notification of `event`, as {username: notification}."""
    rows = Notification.objects.filter(event=event, channel="in_app").select_related("recipient")
    return {row.recipient.username: row for row in rows}


@pytest.fixture
def liaisons_pl(db):
    return [LiaisonFactory(country="PL", language="en"), LiaisonFactory(country="PL", language="fr")]


@pytest.fixture
def liaison_elsewhere(db):
    return LiaisonFactory(country="DE", language="en")


def names(users):
    return {user.username for user in users}


def test_sending_a_request_tells_each_liaison_of_that_country_once(coordinator, liaisons_pl, liaison_elsewhere):
    request = RequestLineFactory(request__status="draft").request

    send_request(request.pk, actor=coordinator)

    assert set(told("request_sent")) == names(liaisons_pl)
    assert Notification.objects.filter(event="request_sent", channel="email").count() == 2


def test_a_liaison_reads_the_request_in_french_with_a_link_to_the_portal(coordinator, liaisons_pl):
    request = RequestLineFactory(request__status="draft", request__response_due="2024-06-20", quantity=20).request

    send_request(request.pk, actor=coordinator)

    french = told("request_sent")[liaisons_pl[1].username]
    assert french.subject == "Demande de renforts : demande Paris 2024 à PL (police)"
    assert "Merci de répondre avant le 20 juin 2024." in french.body
    assert "20 policiers (" in french.body
    assert french.url == f"/portal/requests/{request.pk}/"
    email = Notification.objects.get(event="request_sent", channel="email", recipient=liaisons_pl[1])
    assert email.body.startswith("Bonjour")
    assert f"http://127.0.0.1:8000/portal/requests/{request.pk}/" in email.body


def test_an_english_liaison_reads_the_same_request_in_english(coordinator, liaisons_pl):
    request = RequestLineFactory(request__status="draft", request__response_due="2024-06-20").request

    send_request(request.pk, actor=coordinator)

    english = told("request_sent")[liaisons_pl[0].username]
    assert english.subject == "Request for reinforcements: Paris 2024 request to PL (police)"
    assert "Please answer by 20 June 2024." in english.body


def test_acknowledging_tells_every_coordinator_in_their_language(coordinators, liaisons_pl):
    request = RequestFactory(status="sent")

    acknowledge_request(request.pk, actor=liaisons_pl[0])

    rows = told("request_acknowledged")
    assert set(rows) == names(coordinators)
    assert rows[coordinators[0].username].subject.startswith("Request acknowledged:")
    assert rows[coordinators[1].username].subject.startswith("Demande reçue :")
    assert rows[coordinators[0].username].url == f"/requests/{request.pk}/"


def test_declining_tells_the_coordinators_the_reason(coordinators, liaisons_pl):
    request = RequestFactory(status="acknowledged")

    decline_request(request.pk, actor=liaisons_pl[0], reason="No officers free in August.")

    rows = told("request_declined")
    assert set(rows) == names(coordinators)
    assert "Reason: No officers free in August." in rows[coordinators[0].username].body
    assert "Motif : No officers free in August." in rows[coordinators[1].username].body


def test_the_actor_is_not_told_of_their_own_move(coordinators, liaisons_pl):
    request = RequestFactory(status="sent")

    decline_request(request.pk, actor=liaisons_pl[0], reason="None free.")

    assert liaisons_pl[0].username not in told("request_declined")
    assert liaisons_pl[1].username not in told("request_declined")


@pytest.mark.parametrize(
    ("move", "event"),
    [
        (lambda r, a: cancel_request(r.pk, actor=a, reason="Games postponed."), "request_cancelled"),
        (lambda r, a: close_request(r.pk, actor=a), "request_closed"),
        (lambda r, a: amend_request(r.pk, actor=a, message="Bring radios."), "request_amended"),
    ],
    ids=["cancel", "close", "amend"],
)
def test_a_ministry_move_on_a_sent_request_tells_its_liaisons(coordinator, liaisons_pl, liaison_elsewhere, move, event):
    request = RequestFactory(status="sent")

    move(request, coordinator)

    assert set(told(event)) == names(liaisons_pl)


def test_amending_or_cancelling_a_draft_tells_nobody(coordinator, liaisons_pl):
    request = RequestFactory(status="draft")

    amend_request(request.pk, actor=coordinator, message="Second thoughts.")
    cancel_request(request.pk, actor=coordinator, reason="Not needed.")

    assert not Notification.objects.exists()


def test_the_amended_request_is_spelled_out_to_its_liaisons(coordinator, liaisons_pl):
    request = RequestLineFactory(request__status="sent", quantity=20).request

    amend_request(request.pk, actor=coordinator, message="Bring radios.")

    body = told("request_amended")[liaisons_pl[0].username].body
    assert "It now reads:" in body
    assert "Bring radios." in body


def test_submitting_a_pledge_tells_every_coordinator(coordinators, liaisons_pl):
    pledge = PledgeLineFactory(pledge__status="draft", officers_offered=12).pledge

    submit_pledge(pledge.pk, actor=liaisons_pl[0])

    rows = told("pledge_submitted")
    assert set(rows) == names(coordinators)
    assert "12 officers offered" in rows[coordinators[0].username].body
    assert rows[coordinators[0].username].url == f"/pledges/{pledge.pk}/"


def test_readers_of_one_language_get_the_same_text_and_each_their_own_greeting(liaisons_pl):
    anna, ben = CoordinatorFactory(first_name="Anna"), CoordinatorFactory(first_name="Ben")
    louise = CoordinatorFactory(first_name="Louise", language="fr")
    pledge = PledgeLineFactory(pledge__status="draft", officers_offered=12).pledge

    submit_pledge(pledge.pk, actor=liaisons_pl[0])

    rows = told("pledge_submitted")
    emails = {row.recipient.first_name: row.body for row in Notification.objects.filter(channel="email")}
    assert (rows[anna.username].subject, rows[anna.username].body) == (
        rows[ben.username].subject,
        rows[ben.username].body,
    )
    assert "12 policiers proposés" in rows[louise.username].body
    assert emails["Anna"].startswith("Hello Anna,") and emails["Ben"].startswith("Hello Ben,")
    assert emails["Louise"].startswith("Bonjour Louise,")


def test_no_event_text_names_its_reader_so_one_rendering_serves_a_language():
    events = Path(settings.BASE_DIR) / "notifications/templates/notifications/events"

    named = [path.name for path in events.glob("*.txt") if re.search(r"\buser\b", path.read_text())]

    assert named == []


def test_requesting_changes_tells_the_liaisons_what_should_change(coordinator, liaisons_pl):
    pledge = PledgeLineFactory(pledge__status="submitted").pledge

    request_changes(pledge.pk, actor=coordinator, note="Add a commander's phone number.")

    rows = told("pledge_changes_requested")
    assert set(rows) == names(liaisons_pl)
    assert "À modifier : Add a commander's phone number." in rows[liaisons_pl[1].username].body


def test_a_decision_tells_the_liaisons_what_was_accepted_in_their_language(coordinator, liaisons_pl):
    line = PledgeLineFactory(pledge__status="submitted", officers_offered=10)

    decide_pledge(line.pledge_id, actor=coordinator, lines={line.pk: 8}, k9_teams={})

    rows = told("pledge_decided")
    assert set(rows) == names(liaisons_pl)
    assert rows[liaisons_pl[0].username].subject.endswith(": partially accepted")
    assert rows[liaisons_pl[1].username].subject.endswith(" : acceptée en partie")
    assert "8 of 10 officers accepted" in rows[liaisons_pl[0].username].body


def test_withdrawing_an_accepted_pledge_tells_the_coordinators_which_assignments_were_cancelled(
    coordinators, liaisons_pl
):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation, name="Stade de France")
    AssignmentFactory(pledge_line=line, venue=venue, quantity=4, starts_at=at(26, 8), ends_at=at(26, 16))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(27, 8), ends_at=at(27, 16))

    withdraw_pledge(line.pledge_id, actor=liaisons_pl[0], reason="Officers recalled home.")

    rows = told("pledge_withdrawn")
    assert set(rows) == names(coordinators)
    english, french = rows[coordinators[0].username].body, rows[coordinators[1].username].body
    assert "These 2 assignments were cancelled:" in english
    assert "- 4 officers (Public order) at Stade de France, 26 July 2024 08:00 – 26 July 2024 16:00" in english
    assert "Ces 2 affectations ont été annulées :" in french
    assert "à Stade de France, 27 juillet 2024 08:00 – 27 juillet 2024 16:00" in french


def test_planning_an_assignment_tells_the_liaisons_and_confirming_it_tells_the_coordinators(coordinators, liaisons_pl):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)

    assignment = create_assignment(
        actor=coordinators[0], venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), pledge_line=line, quantity=3
    )
    confirm_assignment(assignment.pk, actor=liaisons_pl[0])

    assert set(told("assignment_planned")) == names(liaisons_pl)
    assert told("assignment_planned")[liaisons_pl[0].username].url == f"/portal/assignments/{assignment.pk}/"
    assert set(told("assignment_confirmed")) == names(coordinators)


@pytest.mark.parametrize(
    ("move", "event", "status"),
    [
        (lambda a, c: confirm_assignment(a.pk, actor=c), "assignment_confirmed", "planned"),
        (lambda a, c: move_assignment(a.pk, actor=c, role="Gate B"), "assignment_moved", "confirmed"),
        (lambda a, c: start_assignment(a.pk, actor=c), "assignment_started", "confirmed"),
        (lambda a, c: complete_assignment(a.pk, actor=c), "assignment_completed", "active"),
        (lambda a, c: cancel_assignment(a.pk, actor=c, reason="Venue closed."), "assignment_cancelled", "planned"),
    ],
    ids=["confirm", "move", "start", "complete", "cancel"],
)
def test_a_coordinators_move_on_an_assignment_tells_that_countrys_liaisons(
    coordinator, liaisons_pl, liaison_elsewhere, move, event, status
):
    assignment = AssignmentFactory(status=status)

    move(assignment, coordinator)

    assert set(told(event)) == names(liaisons_pl)


def test_a_rolled_back_move_leaves_no_notification(coordinator, liaisons_pl, django_capture_on_commit_callbacks):
    request = RequestLineFactory(request__status="draft").request

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        send_request(request.pk, actor=coordinator)
        raise RuntimeError("the page failed after the move")

    assert not Notification.objects.exists()
    assert callbacks == []

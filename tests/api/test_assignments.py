import pytest
from django.contrib.contenttypes.models import ContentType

from deployments.models import Assignment
from notifications.models import Notification
from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, LiaisonFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db


def body(source, venue=None, start="2024-07-26T08:00:00+02:00", end="2024-07-26T16:00:00+02:00", **extra):
    venue = venue or VenueFactory(operation=source.pledge.request.operation)
    data = {"venue": venue.pk, "starts_at": start, "ends_at": end, "role": "Perimeter", **extra}
    if hasattr(source, "officers_accepted"):
        data.update(pledge_line=source.pk, quantity=extra.get("quantity", 2))
    else:
        data["k9_team"] = source.pk
    return data


# (move, from status, who, body, to status)
LEGAL = [
    ("confirm", "planned", "liaison_pl", {}, "confirmed"),
    ("confirm", "planned", "coordinator", {}, "confirmed"),
    ("start", "confirmed", "coordinator", {}, "active"),
    ("start", "planned", "liaison_pl", {}, "active"),
    ("complete", "active", "coordinator", {}, "completed"),
    ("complete", "active", "liaison_pl", {}, "completed"),
    ("no-show", "confirmed", "liaison_pl", {"reason": "Train cancelled."}, "cancelled"),
    ("no-show", "planned", "coordinator", {}, "cancelled"),
    ("cancel", "active", "coordinator", {"reason": "Storm."}, "cancelled"),
]
ILLEGAL = [
    ("confirm", "confirmed", "liaison_pl", {}),
    ("start", "completed", "coordinator", {}),
    ("complete", "planned", "coordinator", {}),
    ("complete", "confirmed", "liaison_pl", {}),
    ("no-show", "active", "liaison_pl", {"reason": "Gone home."}),
    ("cancel", "cancelled", "coordinator", {"reason": "Again."}),
]


@pytest.mark.parametrize(("move", "start", "who", "data", "end"), LEGAL, ids=[f"{r[0]}-{r[2]}" for r in LEGAL])
def test_each_assignment_move_answers_200_with_the_new_status(request, move, start, who, data, end):
    assignment = AssignmentFactory(status=start)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/assignments/{assignment.pk}/{move}/", data)

    assert response.status_code == 200, response.data
    assert response.data["status"] == end


@pytest.mark.parametrize(("move", "start", "who", "data"), ILLEGAL, ids=[r[0] for r in ILLEGAL])
def test_an_illegal_assignment_move_answers_409_invalid_transition(request, move, start, who, data):
    assignment = AssignmentFactory(status=start)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/assignments/{assignment.pk}/{move}/", data)

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"


def test_the_countrys_liaison_checks_in_their_assignment_and_the_coordinators_are_told(liaison_pl, coordinator):
    assignment = AssignmentFactory(status="confirmed", pledge_line__pledge__request__country="PL")

    response = client_as(liaison_pl).post(f"/api/v1/assignments/{assignment.pk}/start/")

    assert response.status_code == 200, response.data
    assert response.data["status"] == "active"
    assert Notification.objects.filter(recipient=coordinator, event="assignment_started").exists()


@pytest.mark.parametrize("move", ["start", "complete", "no-show"])
def test_a_liaison_of_another_country_gets_404_for_the_days_moves(move, liaison_de):
    assignment = AssignmentFactory(status="active" if move == "complete" else "planned")

    response = client_as(liaison_de).post(f"/api/v1/assignments/{assignment.pk}/{move}/", {"reason": "Not mine."})

    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.status in ("active", "planned")


def test_a_liaisons_no_show_without_what_happened_is_a_400_in_french_and_changes_nothing(liaison_pl):
    assignment = AssignmentFactory(status="confirmed")

    response = client_as(liaison_pl).post(
        f"/api/v1/assignments/{assignment.pk}/no-show/", {"reason": " "}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.data["reason"] == ["Dites ce qui s’est passé : le ministère le lira avec l’absence."]
    assignment.refresh_from_db()
    assert assignment.status == "confirmed"


def test_a_no_show_with_a_control_character_is_a_400(liaison_pl):
    assignment = AssignmentFactory(status="confirmed")

    response = client_as(liaison_pl).post(f"/api/v1/assignments/{assignment.pk}/no-show/", {"reason": "late\x07"})

    assert response.status_code == 400
    assert "reason" in response.data
    assignment.refresh_from_db()
    assert assignment.status == "confirmed"


def test_more_officers_than_accepted_is_a_409_capacity_exceeded(coordinator):
    line = accepted_line(officers=5)
    client = client_as(coordinator)
    client.post("/api/v1/assignments/", body(line, quantity=4))

    response = client.post("/api/v1/assignments/", body(line, quantity=2))

    assert response.status_code == 409
    assert response.data["code"] == "capacity_exceeded"


def test_a_k9_team_in_two_places_at_once_is_a_409_k9_overlap(coordinator):
    team = accepted_team()
    client = client_as(coordinator)
    assert client.post("/api/v1/assignments/", body(team)).status_code == 201

    response = client.post(
        "/api/v1/assignments/", body(team, start="2024-07-26T12:00:00+02:00", end="2024-07-26T18:00:00+02:00")
    )

    assert response.status_code == 409
    assert response.data["code"] == "k9_overlap"


def test_an_assignment_outside_the_lines_availability_is_a_409_outside_availability(coordinator):
    line = accepted_line(available_to="2024-07-20")

    response = client_as(coordinator).post("/api/v1/assignments/", body(line))

    assert response.status_code == 409
    assert response.data["code"] == "outside_availability"


def test_a_k9_team_whose_certification_lapses_first_is_a_409_certification_expired(coordinator):
    team = accepted_team(certification_expires_on="2024-07-25")

    response = client_as(coordinator).post("/api/v1/assignments/", body(team))

    assert response.status_code == 409
    assert response.data["code"] == "certification_expired"


def test_an_assignment_needs_a_line_with_a_quantity_or_a_team(coordinator):
    line = accepted_line()
    data = body(line)
    del data["quantity"]

    response = client_as(coordinator).post("/api/v1/assignments/", data)

    assert response.status_code == 400
    assert "quantity" in response.data


def test_patching_a_confirmed_assignment_moves_it_back_to_planned(coordinator):
    assignment = AssignmentFactory(status="confirmed")

    response = client_as(coordinator).patch(
        f"/api/v1/assignments/{assignment.pk}/", {"starts_at": "2024-07-26T09:00:00+02:00"}
    )

    assert response.status_code == 200, response.data
    assert response.data["status"] == "planned"
    assert response.data["starts_at"] == "2024-07-26T09:00:00+02:00"


def test_patching_an_assignment_beyond_capacity_is_a_409(coordinator):
    assignment = AssignmentFactory(pledge_line=accepted_line(officers=3), quantity=2)

    response = client_as(coordinator).patch(f"/api/v1/assignments/{assignment.pk}/", {"quantity": 4})

    assert response.status_code == 409
    assert response.data["code"] == "capacity_exceeded"


def test_assignments_filter_by_venue_code_country_and_window(coordinator):
    inside = AssignmentFactory()
    AssignmentFactory(
        pledge_line=accepted_line(pledge__request=inside.pledge.request),
        venue=inside.venue, starts_at="2024-07-27T08:00:00+02:00", ends_at="2024-07-27T12:00:00+02:00",
    )  # fmt: skip
    AssignmentFactory(pledge_line=accepted_line(pledge__request__country="DE"), venue=inside.venue)

    response = client_as(coordinator).get(
        "/api/v1/assignments/",
        {"venue": inside.venue.code, "country": "PL", "starts_after": "2024-07-26T00:00:00+02:00",
         "ends_before": "2024-07-26T23:00:00+02:00", "specialty": "public_order"},
    )  # fmt: skip

    assert [row["id"] for row in response.data["results"]] == [inside.pk]


def test_creating_an_assignment_records_who_planned_it(coordinator):
    line = accepted_line()

    response = client_as(coordinator).post("/api/v1/assignments/", body(line))

    assert Assignment.objects.get(pk=response.data["id"]).history.earliest().history_user == coordinator


def test_placing_officers_costs_the_same_queries_whatever_the_number_of_liaisons_told(
    coordinator, django_assert_num_queries
):
    line = accepted_line(pledge__request__country="PL")
    LiaisonFactory(country="PL", language="en")
    LiaisonFactory(country="PL", language="fr")
    LiaisonFactory(country="PL", language="fr")
    data = body(line)
    ContentType.objects.get_for_model(Assignment)  # read once per process, whichever test comes first

    # groups (role) · venue · line (field) · savepoint · pledge FOR SHARE · line FOR NO KEY UPDATE ⋈ pledge
    # ⋈ request ⋈ operation ⋈ specialty · the line's live assignments within a day of it (one read: capacity
    # and duty compute over it, deployments.rules.timeline) · the needs it covers that ask anything (language,
    # legal status) · assignment · its history · the enabled webhooks listening to assignment.created (none) ·
    # the actor's liaison profile · liaisons ⋈ profile · notifications (one INSERT) · release. Commit, data
    # version and delivery are after the test's transaction.
    with django_assert_num_queries(15):
        response = client_as(coordinator).post("/api/v1/assignments/", data, format="json")

    assert response.status_code == 201
    assert Notification.objects.filter(event="assignment_planned").count() == 6


def test_placing_a_k9_team_reads_its_assignments_once_for_every_rule(coordinator, django_assert_num_queries):
    team = accepted_team(pledge__request__country="PL")
    LiaisonFactory(country="PL", language="en")
    operation = team.pledge.request.operation
    here = VenueFactory(operation=operation, latitude=48.92, longitude=2.36)
    elsewhere = VenueFactory(operation=operation, latitude=48.80, longitude=2.13)  # Versailles
    for day in (25, 27):  # a neighbour on each side, at another venue (rest and travel read both)
        AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, venue=elsewhere,
                          starts_at=at(day, 8), ends_at=at(day, 16))  # fmt: skip
    data = body(team, venue=here)
    ContentType.objects.get_for_model(Assignment)

    # groups (role) · venue · team (field) · savepoint · pledge FOR SHARE · team FOR NO KEY UPDATE ⋈ pledge
    # ⋈ request ⋈ operation · the team's live assignments within a day of it and the nearest on each side (one
    # read for overlap, duty, rest and travel: it was four) · their venues (where travel starts from) · the
    # venue pairs' travel times · the needs it covers that ask anything · assignment · its history · enabled
    # webhooks · the actor's liaison profile · liaisons ⋈ profile · notifications · release
    with django_assert_num_queries(17):
        response = client_as(coordinator).post("/api/v1/assignments/", data, format="json")

    assert response.status_code == 201, response.data

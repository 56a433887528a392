import pytest

from pledges.models import Pledge
from tests.api.conftest import client_as
from tests.factories import K9TeamFactory, PledgeFactory, PledgeLineFactory, RequestFactory

pytestmark = pytest.mark.django_db

LINE = {"specialty": "public_order", "officers_offered": 12, "available_from": "2024-07-20",
        "available_to": "2024-08-10", "languages": ["pl"]}  # fmt: skip
TEAM = {"handler_name": "Sgt. Ewa", "dog_name": "Luna", "dog_breed": "Springer", "detection": "explosives",
        "certification_expires_on": "2025-06-30", "available_from": "2024-07-20", "available_to": "2024-08-10"}  # fmt: skip

# (move, from status, who, body, to status)
LEGAL = [
    ("submit", "draft", "liaison_pl", {}, "submitted"),
    ("submit", "changes_requested", "liaison_pl", {}, "submitted"),
    ("request-changes", "submitted", "coordinator", {"note": "Add languages."}, "changes_requested"),
    ("withdraw", "accepted", "liaison_pl", {"reason": "Needed at home."}, "withdrawn"),
]
ILLEGAL = [
    ("submit", "accepted", "liaison_pl", {}),
    ("request-changes", "draft", "coordinator", {"note": "x"}),
    ("decide", "draft", "coordinator", {"lines": [], "k9_teams": []}),
    ("withdraw", "rejected", "liaison_pl", {"reason": "x"}),
]


def pledge_with_a_line(status="draft", **kwargs):
    pledge = PledgeFactory(status=status, **kwargs)
    PledgeLineFactory(pledge=pledge)
    return pledge


@pytest.mark.parametrize(("move", "start", "who", "body", "end"), LEGAL, ids=[f"{r[0]}-{r[1]}" for r in LEGAL])
def test_each_pledge_move_answers_200_with_the_new_status(request, move, start, who, body, end):
    pledge = pledge_with_a_line(start)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/pledges/{pledge.pk}/{move}/", body)

    assert response.status_code == 200, response.data
    assert response.data["status"] == end


@pytest.mark.parametrize(("move", "start", "who", "body"), ILLEGAL, ids=[r[0] for r in ILLEGAL])
def test_an_illegal_pledge_move_answers_409_invalid_transition(request, move, start, who, body):
    pledge = pledge_with_a_line(start)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/pledges/{pledge.pk}/{move}/", body)

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"


def test_deciding_everything_in_full_accepts_the_pledge(coordinator):
    pledge = PledgeFactory(status="submitted")
    line = PledgeLineFactory(pledge=pledge, officers_offered=8)
    team = K9TeamFactory(pledge=pledge)

    response = client_as(coordinator).post(
        f"/api/v1/pledges/{pledge.pk}/decide/",
        {"lines": [{"id": line.pk, "officers_accepted": 8}], "k9_teams": [{"id": team.pk, "accepted": True}]},
    )

    assert response.status_code == 200, response.data
    assert response.data["status"] == "accepted"


def test_deciding_nothing_rejects_the_pledge(coordinator):
    pledge = PledgeFactory(status="submitted")
    line = PledgeLineFactory(pledge=pledge)

    response = client_as(coordinator).post(
        f"/api/v1/pledges/{pledge.pk}/decide/", {"lines": [{"id": line.pk, "officers_accepted": 0}]}
    )

    assert response.data["status"] == "rejected"


def test_deciding_more_officers_than_offered_is_a_400_on_lines(coordinator):
    pledge = PledgeFactory(status="submitted")
    line = PledgeLineFactory(pledge=pledge, officers_offered=5)

    response = client_as(coordinator).post(
        f"/api/v1/pledges/{pledge.pk}/decide/", {"lines": [{"id": line.pk, "officers_accepted": 6}]}
    )

    assert response.status_code == 400
    assert "lines" in response.data


def test_a_liaison_creates_a_pledge_with_lines_and_teams_on_their_request(liaison_pl):
    req = RequestFactory(country="PL", status="acknowledged")

    response = client_as(liaison_pl).post(
        "/api/v1/pledges/",
        {"request": req.pk, "commander_name": "Insp. Nowak", "commander_contact": "+48", "lines": [LINE],
         "k9_teams": [TEAM]},
    )  # fmt: skip

    assert response.status_code == 201, response.data
    assert response.data["country"] == "PL"
    assert [line["id"] for line in response.data["lines"]] == list(
        Pledge.objects.get().lines.values_list("id", flat=True)
    )
    assert Pledge.objects.get().history.earliest().history_user == liaison_pl


def test_a_pledge_on_another_countrys_request_is_refused_like_an_unknown_request(liaison_de):
    req = RequestFactory(country="PL", status="sent")

    response = client_as(liaison_de).post(
        "/api/v1/pledges/", {"request": req.pk, "commander_name": "x", "commander_contact": "y"}
    )

    assert response.status_code == 400
    assert "request" in response.data
    assert not Pledge.objects.exists()


def test_a_pledge_on_a_closed_request_is_a_409(liaison_pl):
    req = RequestFactory(country="PL", status="closed")

    response = client_as(liaison_pl).post(
        "/api/v1/pledges/", {"request": req.pk, "commander_name": "x", "commander_contact": "y"}
    )

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"


def test_a_coordinator_may_not_create_a_pledge(coordinator):
    req = RequestFactory(country="PL", status="sent")

    response = client_as(coordinator).post(
        "/api/v1/pledges/", {"request": req.pk, "commander_name": "x", "commander_contact": "y"}
    )

    assert response.status_code == 403


def test_updating_a_draft_keeps_lines_with_ids_adds_new_ones_and_drops_the_rest(liaison_pl):
    pledge = PledgeFactory(status="draft")
    kept, dropped = PledgeLineFactory(pledge=pledge), PledgeLineFactory(pledge=pledge)

    response = client_as(liaison_pl).patch(
        f"/api/v1/pledges/{pledge.pk}/",
        {"lines": [{**LINE, "id": kept.pk, "officers_offered": 3}, LINE]},
    )

    assert response.status_code == 200, response.data
    ids = [line["id"] for line in response.data["lines"]]
    assert ids[0] == kept.pk
    assert dropped.pk not in ids
    assert response.data["lines"][0]["officers_offered"] == 3


def test_a_bad_nested_line_is_a_400_with_errors_by_row(liaison_pl):
    pledge = PledgeFactory(status="draft")

    response = client_as(liaison_pl).patch(
        f"/api/v1/pledges/{pledge.pk}/",
        {"lines": [LINE, {**LINE, "available_from": "2024-08-15", "available_to": "2024-08-01"}]},
    )

    assert response.status_code == 400
    assert response.data["lines"][0] == {}
    assert "available_to" in response.data["lines"][1]


def test_a_line_available_outside_the_request_period_is_a_400_on_lines(liaison_pl):
    pledge = PledgeFactory(status="draft")

    response = client_as(liaison_pl).patch(
        f"/api/v1/pledges/{pledge.pk}/", {"lines": [{**LINE, "available_to": "2024-09-30"}]}
    )

    assert response.status_code == 400
    assert "lines" in response.data


def test_editing_a_submitted_pledge_is_a_409(liaison_pl):
    pledge = pledge_with_a_line("submitted")

    response = client_as(liaison_pl).patch(f"/api/v1/pledges/{pledge.pk}/", {"notes": "late"})

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"


def test_pledges_filter_by_country_status_and_operation(coordinator):
    poland = PledgeFactory(status="submitted")
    PledgeFactory(status="submitted", request__country="DE")
    PledgeFactory(status="draft", request=poland.request)

    response = client_as(coordinator).get(
        "/api/v1/pledges/",
        {"country": "PL", "status": "submitted", "operation": "paris-2024", "ordering": "-created_at"},
    )

    assert [row["id"] for row in response.data["results"]] == [poland.pk]

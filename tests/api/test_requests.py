import pytest

from reinforcements.models import ReinforcementRequest
from tests.api.conftest import client_as
from tests.factories import OperationFactory, RequestFactory, RequestLineFactory

pytestmark = pytest.mark.django_db

# (move, from status, who, body, to status)
LEGAL = [
    ("send", "draft", "coordinator", {}, "sent"),
    ("acknowledge", "sent", "liaison_pl", {}, "acknowledged"),
    ("decline", "acknowledged", "liaison_pl", {"reason": "No officers free."}, "declined"),
    ("cancel", "sent", "coordinator", {"reason": "Threat level lowered."}, "cancelled"),
    ("close", "acknowledged", "coordinator", {}, "closed"),
]
ILLEGAL = [
    ("send", "sent", "coordinator", {}),
    ("acknowledge", "acknowledged", "liaison_pl", {}),
    ("decline", "closed", "liaison_pl", {"reason": "Too late."}),
    ("cancel", "declined", "coordinator", {"reason": "Tidy up."}),
    ("close", "draft", "coordinator", {}),
]


@pytest.mark.parametrize(("move", "start", "who", "body", "end"), LEGAL, ids=[row[0] for row in LEGAL])
def test_each_request_move_answers_200_with_the_new_status(request, move, start, who, body, end):
    req = RequestFactory(status=start)
    RequestLineFactory(request=req)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/requests/{req.pk}/{move}/", body)

    assert response.status_code == 200, response.data
    assert response.data["status"] == end


@pytest.mark.parametrize(("move", "start", "who", "body"), ILLEGAL, ids=[row[0] for row in ILLEGAL])
def test_an_illegal_request_move_answers_409_invalid_transition(request, move, start, who, body):
    req = RequestFactory(status=start)

    response = client_as(request.getfixturevalue(who)).post(f"/api/v1/requests/{req.pk}/{move}/", body)

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert set(response.data) == {"detail", "code"}


def test_declining_without_a_reason_is_a_400_on_the_reason(liaison_pl):
    req = RequestFactory(status="sent")

    response = client_as(liaison_pl).post(f"/api/v1/requests/{req.pk}/decline/", {})

    assert response.status_code == 400
    assert "reason" in response.data


def test_a_liaison_may_not_send_a_request(liaison_pl):
    req = RequestFactory(status="sent")

    response = client_as(liaison_pl).post(f"/api/v1/requests/{req.pk}/cancel/", {"reason": "x"})

    assert response.status_code == 403


def test_a_liaison_never_sees_internal_notes(liaison_pl):
    req = RequestFactory(status="sent", internal_notes="Only for us")

    detail = client_as(liaison_pl).get(f"/api/v1/requests/{req.pk}/").data
    listed = client_as(liaison_pl).get("/api/v1/requests/").data["results"][0]

    assert "internal_notes" not in detail
    assert "internal_notes" not in listed


def test_a_coordinator_sees_internal_notes(coordinator):
    req = RequestFactory(status="sent", internal_notes="Only for us")

    response = client_as(coordinator).get(f"/api/v1/requests/{req.pk}/")

    assert response.data["internal_notes"] == "Only for us"


def test_a_liaison_does_not_see_draft_requests_of_their_country(liaison_pl):
    req = RequestFactory(status="draft")

    response = client_as(liaison_pl).get(f"/api/v1/requests/{req.pk}/")

    assert response.status_code == 404


def test_updating_a_sent_request_amends_it_and_tells_its_liaisons(coordinator, liaison_pl):
    req = RequestFactory(status="sent")
    RequestLineFactory(request=req, quantity=20)

    response = client_as(coordinator).patch(
        f"/api/v1/requests/{req.pk}/", {"lines": [{"specialty": "public_order", "quantity": 35}]}
    )

    assert response.status_code == 200, response.data
    assert [(line["specialty"], line["quantity"]) for line in response.data["lines"]] == [("public_order", 35)]
    assert liaison_pl.notifications.filter(event="request_amended").exists()


def test_the_country_of_an_existing_request_cannot_change(coordinator):
    req = RequestFactory(status="draft")

    response = client_as(coordinator).patch(f"/api/v1/requests/{req.pk}/", {"country": "DE"})

    assert response.status_code == 400
    assert "country" in response.data


def test_a_second_request_to_the_same_country_and_authority_is_a_400(coordinator):
    RequestFactory(operation=OperationFactory(code="paris-2024"), country="PL", status="draft")

    response = client_as(coordinator).post(
        "/api/v1/requests/",
        {"operation": "paris-2024", "country": "PL", "period_start": "2024-07-10", "period_end": "2024-08-20"},
    )

    assert response.status_code == 400
    assert ReinforcementRequest.objects.count() == 1


def test_an_unknown_operation_or_specialty_code_is_a_400_on_that_field(coordinator):
    OperationFactory(code="paris-2024")

    response = client_as(coordinator).post(
        "/api/v1/requests/",
        {"operation": "nowhere", "country": "PL", "period_start": "2024-07-10", "period_end": "2024-08-20",
         "lines": [{"specialty": "kites", "quantity": 1}]},
    )  # fmt: skip

    assert response.status_code == 400
    assert set(response.data) == {"operation", "lines"}


def test_creating_a_request_records_who_made_it(coordinator):
    OperationFactory(code="paris-2024")

    response = client_as(coordinator).post(
        "/api/v1/requests/",
        {"operation": "paris-2024", "country": "PL", "period_start": "2024-07-10", "period_end": "2024-08-20"},
    )

    req = ReinforcementRequest.objects.get(pk=response.data["id"])
    assert req.history.earliest().history_user == coordinator


def test_requests_filter_by_operation_country_status_and_specialty(coordinator):
    op = OperationFactory(code="paris-2024")
    poland = RequestFactory(operation=op, country="PL", status="sent")
    RequestLineFactory(request=poland)
    RequestFactory(operation=op, country="DE", status="draft")

    response = client_as(coordinator).get(
        "/api/v1/requests/", {"operation": "paris-2024", "country": "PL", "status": "sent", "specialty": "public_order"}
    )

    assert [row["id"] for row in response.data["results"]] == [poland.pk]


def test_a_bad_filter_value_is_a_400_naming_the_filter(coordinator):
    response = client_as(coordinator).get("/api/v1/requests/", {"status": "lost", "operation": "nowhere"})

    assert response.status_code == 400
    assert set(response.data) == {"status", "operation"}


def test_a_liaison_filtering_by_a_hidden_operation_gets_the_same_400_as_for_an_unknown_one(liaison_de):
    RequestFactory(operation=OperationFactory(code="paris-2024"), country="PL")

    hidden = client_as(liaison_de).get("/api/v1/requests/", {"operation": "paris-2024"})
    unknown = client_as(liaison_de).get("/api/v1/requests/", {"operation": "nowhere"})

    assert hidden.status_code == unknown.status_code == 400
    assert str(hidden.data).replace("paris-2024", "X") == str(unknown.data).replace("nowhere", "X")

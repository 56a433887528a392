"""SPEC §7 error shapes: whatever a client sends, a 4xx that says why, never a 500."""

import pytest

from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, OperationFactory, RequestFactory

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400(coordinator):
    response = client_as(coordinator).post("/api/v1/requests/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.data


def test_wrong_types_are_400_field_errors(coordinator):
    OperationFactory(code="paris-2024")

    response = client_as(coordinator).post(
        "/api/v1/requests/",
        {"operation": ["paris-2024"], "country": 48, "period_start": "soon", "period_end": None, "lines": "many"},
    )

    assert response.status_code == 400
    assert set(response.data) >= {"operation", "period_start", "period_end", "lines"}


def test_field_errors_are_in_french_when_the_client_asks_for_it(coordinator):
    response = client_as(coordinator).post("/api/v1/requests/", {}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert response.data["operation"] == ["Ce champ est obligatoire."]


def test_a_page_size_above_200_is_a_400(coordinator):
    response = client_as(coordinator).get("/api/v1/requests/", {"page_size": 201})

    assert response.status_code == 400
    assert "page_size" in response.data


def test_a_page_size_that_is_not_a_number_is_a_400(coordinator):
    response = client_as(coordinator).get("/api/v1/requests/", {"page_size": "lots"})

    assert response.status_code == 400


def test_a_page_past_the_end_is_a_404(coordinator):
    response = client_as(coordinator).get("/api/v1/requests/", {"page": 99})

    assert response.status_code == 404


def test_a_list_pages_with_count_next_previous_results(coordinator):
    op = OperationFactory(code="paris-2024")
    for country in ("PL", "DE", "IT"):
        RequestFactory(operation=op, country=country)

    response = client_as(coordinator).get("/api/v1/requests/", {"page_size": 2, "ordering": "country"})

    assert response.data["count"] == 3
    assert "page=2" in response.data["next"]
    assert response.data["previous"] is None
    assert [row["country"] for row in response.data["results"]] == ["DE", "IT"]


def test_a_non_numeric_id_is_a_404(coordinator):
    assert client_as(coordinator).get("/api/v1/requests/abc/").status_code == 404


def test_an_out_of_range_id_is_a_404(coordinator):
    assert client_as(coordinator).get("/api/v1/pledges/99999999999999999999/").status_code == 404


def test_an_out_of_range_related_id_is_a_400(liaison_pl):
    response = client_as(liaison_pl).post(
        "/api/v1/pledges/", {"request": 99999999999999999999, "commander_name": "x", "commander_contact": "y"}
    )

    assert response.status_code == 400


def test_a_bad_window_filter_is_a_400(coordinator):
    response = client_as(coordinator).get("/api/v1/assignments/", {"starts_after": "yesterday"})

    assert response.status_code == 400
    assert "starts_after" in response.data


def test_an_unknown_ordering_field_is_ignored_not_a_500(coordinator):
    assert client_as(coordinator).get("/api/v1/requests/", {"ordering": "internal_notes;drop"}).status_code == 200


def test_deleting_a_venue_that_assignments_use_is_a_409(coordinator):
    assignment = AssignmentFactory()

    response = client_as(coordinator).delete(f"/api/v1/venues/{assignment.venue.pk}/")

    assert response.status_code == 409
    assert response.data["code"] == "protected"


def test_a_window_filter_with_an_offset_postgres_refuses_still_answers(coordinator):
    response = client_as(coordinator).get("/api/v1/venue-needs/", {"starts_after": "2892-05-20T17:42:36-16:16"})

    assert response.status_code == 200


def test_a_window_filter_at_the_end_of_time_is_a_400(coordinator):
    response = client_as(coordinator).get("/api/v1/assignments/", {"ends_before": "9999-12-31T23:59:59-10:00"})

    assert response.status_code == 400
    assert "ends_before" in response.data

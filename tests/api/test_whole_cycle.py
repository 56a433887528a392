"""A client that knows only SPEC §7 (payloads, codes, status strings) runs the whole cycle."""

import pytest
from rest_framework.test import APIClient

from tests.factories import OperationFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "correct-horse-battery"})
    assert response.status_code == 200, response.data
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.data
    return response.data


def test_a_spec_only_client_runs_request_pledge_decision_deployment_and_withdrawal(coordinator, liaison_pl):
    OperationFactory(code="paris-2024")
    ministry, poland = client_for(coordinator), client_for(liaison_pl)

    request = ok(
        ministry.post(
            "/api/v1/requests/",
            {
                "operation": "paris-2024", "country": "PL", "authority": "interior", "response_due": "2024-03-01",
                "period_start": "2024-07-10", "period_end": "2024-08-20", "message": "Please send officers.",
                "lines": [{"specialty": "public_order", "quantity": 40}, {"specialty": "k9_explosives", "quantity": 2}],
            },
        ),
        201,
    )  # fmt: skip
    assert request["status"] == "draft"
    assert {line["specialty"] for line in request["lines"]} == {"public_order", "k9_explosives"}
    assert ok(ministry.post(f"/api/v1/requests/{request['id']}/send/"))["status"] == "sent"
    assert ok(poland.post(f"/api/v1/requests/{request['id']}/acknowledge/"))["status"] == "acknowledged"

    pledge = ok(
        poland.post(
            "/api/v1/pledges/",
            {
                "request": request["id"], "commander_name": "Insp. Anna Nowak", "commander_contact": "+48 22 000 00 00",
                "notes": "By train.",
                "lines": [{"specialty": "public_order", "officers_offered": 30, "available_from": "2024-07-20",
                           "available_to": "2024-08-12", "languages": ["pl", "en"]}],
                "k9_teams": [
                    {"handler_name": "Sgt. Piotr", "dog_name": "Rex", "dog_breed": "Malinois", "detection": "explosives",
                     "certification_expires_on": "2025-06-30", "available_from": "2024-07-20",
                     "available_to": "2024-08-12", "microchip": "616093900000001", "pet_passport": "PL-000001",
                     "rabies_vaccinated_on": "2024-05-02"},
                    {"handler_name": "Sgt. Ewa", "dog_name": "Luna", "dog_breed": "Springer", "detection": "explosives",
                     "certification_expires_on": "2025-06-30", "available_from": "2024-07-20",
                     "available_to": "2024-08-12"},
                ],
            },
        ),
        201,
    )  # fmt: skip
    assert pledge["status"] == "draft"
    assert ok(poland.post(f"/api/v1/pledges/{pledge['id']}/submit/"))["status"] == "submitted"
    line_id = pledge["lines"][0]["id"]
    rex, luna = (team["id"] for team in pledge["k9_teams"])
    decided = ok(
        ministry.post(
            f"/api/v1/pledges/{pledge['id']}/decide/",
            {"decision_note": "20 are enough; one dog.", "lines": [{"id": line_id, "officers_accepted": 20}],
             "k9_teams": [{"id": rex, "accepted": True}, {"id": luna, "accepted": False}]},
        )
    )  # fmt: skip
    assert decided["status"] == "partially_accepted"
    assert decided["lines"][0]["officers_accepted"] == 20

    venue = ok(
        ministry.post(
            "/api/v1/venues/", {"operation": "paris-2024", "code": "trocadero", "name": "Trocadéro", "kind": "fan_zone"}
        ),
        201,
    )
    ok(
        ministry.post(
            "/api/v1/venue-needs/",
            {"venue": venue["id"], "specialty": "public_order", "starts_at": "2024-07-26T08:00:00+02:00",
             "ends_at": "2024-07-26T20:00:00+02:00", "quantity": 25},
        ),
        201,
    )  # fmt: skip
    officers = ok(
        ministry.post(
            "/api/v1/assignments/",
            {"venue": venue["id"], "starts_at": "2024-07-26T08:00:00+02:00", "ends_at": "2024-07-26T20:00:00+02:00",
             "role": "Perimeter", "pledge_line": line_id, "quantity": 12},
        ),
        201,
    )  # fmt: skip
    dog = ok(
        ministry.post(
            "/api/v1/assignments/",
            {"venue": venue["id"], "starts_at": "2024-07-26T08:00:00+02:00", "ends_at": "2024-07-26T14:00:00+02:00",
             "role": "Sweeps", "k9_team": rex},
        ),
        201,
    )  # fmt: skip
    assert ok(poland.post(f"/api/v1/assignments/{officers['id']}/confirm/"))["status"] == "confirmed"
    assert ok(poland.post(f"/api/v1/assignments/{dog['id']}/confirm/"))["status"] == "confirmed"

    coverage = ok(ministry.get("/api/v1/coverage/", {"operation": "paris-2024"}))
    assert coverage["by_country"] == [{"country": "PL", "requested": 42, "pledged": 32, "accepted": 21, "assigned": 13}]
    assert coverage["by_venue"] == [
        {"venue": "trocadero", "specialty": "public_order", "starts_at": "2024-07-26T08:00:00+02:00",
         "ends_at": "2024-07-26T20:00:00+02:00", "needed": 25, "assigned": 12,
         "languages": [], "assigned_speaking": None}
    ]  # fmt: skip

    withdrawn = ok(poland.post(f"/api/v1/pledges/{pledge['id']}/withdraw/", {"reason": "Needed at home."}))
    assert withdrawn["status"] == "withdrawn"
    statuses = {a["status"] for a in ok(ministry.get("/api/v1/assignments/", {"operation": "paris-2024"}))["results"]}
    assert statuses == {"cancelled"}

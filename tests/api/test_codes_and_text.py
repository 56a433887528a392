"""Codes against their standards and free text without control characters (issue 17): a 400 that
names the field, through the API, the forms and the imports alike."""

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest
from tests.api.conftest import client_as
from tests.factories import OperationFactory, PledgeFactory, RequestFactory

pytestmark = pytest.mark.django_db

LINE = {"specialty": "public_order", "officers_offered": 12, "available_from": "2024-07-20",
        "available_to": "2024-08-10", "languages": ["pl"]}  # fmt: skip
TEAM = {"handler_name": "Sgt. Ewa", "dog_name": "Luna", "dog_breed": "Springer", "detection": "explosives",
        "certification_expires_on": "2025-06-30", "available_from": "2024-07-20", "available_to": "2024-08-10"}  # fmt: skip


def request_body(country):
    return {"operation": "paris-2024", "country": country, "authority": "interior", "response_due": "2024-03-01",
            "period_start": "2024-07-15", "period_end": "2024-08-15", "lines": [{"specialty": "public_order", "quantity": 5}]}  # fmt: skip


@pytest.mark.parametrize("country", ["XX", "pl", "QQ", "EU"])
def test_a_request_to_a_country_iso_does_not_assign_is_a_400_on_country(coordinator, country):
    OperationFactory(code="paris-2024")

    response = client_as(coordinator).post("/api/v1/requests/", request_body(country))

    assert response.status_code == 400
    assert list(response.data) == ["country"]
    assert not ReinforcementRequest.objects.exists()


def test_a_request_to_an_assigned_country_is_created(coordinator):
    OperationFactory(code="paris-2024")

    response = client_as(coordinator).post("/api/v1/requests/", request_body("PL"))

    assert response.status_code == 201, response.data


def test_the_staff_request_form_refuses_xx(client, coordinator):
    operation = OperationFactory(code="paris-2024")
    client.force_login(coordinator)

    response = client.post(reverse("request_create", args=[operation.code]), {"country": "XX", "authority": "interior"})

    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not ReinforcementRequest.objects.exists()


def test_a_language_iso_639_1_does_not_know_is_a_400(liaison_pl):
    req = RequestFactory(country="PL", status="acknowledged")

    response = client_as(liaison_pl).post(
        "/api/v1/pledges/",
        {"request": req.pk, "commander_name": "x", "commander_contact": "y", "lines": [{**LINE, "languages": ["xx"]}]},
    )

    assert response.status_code == 400
    assert "languages" in response.data["lines"][0]


@pytest.mark.parametrize("field", ["commander_name", "commander_contact"])
def test_a_control_character_in_a_name_is_a_400_naming_the_field(liaison_pl, field):
    req = RequestFactory(country="PL", status="acknowledged")
    body = {"request": req.pk, "commander_name": "Anna", "commander_contact": "+48", field: "A\u0001B"}

    response = client_as(liaison_pl).post("/api/v1/pledges/", body)

    assert response.status_code == 400
    assert list(response.data) == [field]
    assert "U+0001" in str(response.data[field])
    assert not Pledge.objects.exists()


def test_a_control_character_in_a_nested_k9_team_names_that_field(liaison_pl):
    req = RequestFactory(country="PL", status="acknowledged")
    body = {
        "request": req.pk,
        "commander_name": "A",
        "commander_contact": "B",
        "k9_teams": [{**TEAM, "dog_name": "R\x00x"}],
    }

    response = client_as(liaison_pl).post("/api/v1/pledges/", body)

    assert response.status_code == 400
    assert "dog_name" in response.data["k9_teams"][0]


def test_notes_keep_tabs_and_line_breaks(liaison_pl):
    req = RequestFactory(country="PL", status="acknowledged")
    body = {"request": req.pk, "commander_name": "A", "commander_contact": "B", "notes": "one\r\n\ttwo"}

    response = client_as(liaison_pl).post("/api/v1/pledges/", body)

    assert response.status_code == 201, response.data
    assert Pledge.objects.get().notes == "one\r\n\ttwo"


def test_a_control_character_in_a_reason_is_a_400_on_reason(liaison_pl):
    pledge = PledgeFactory(request__country="PL", status="accepted")

    response = client_as(liaison_pl).post(f"/api/v1/pledges/{pledge.pk}/withdraw/", {"reason": "no\x1b[31m"})

    assert response.status_code == 400
    assert list(response.data) == ["reason"]


def test_the_portal_pledge_form_refuses_a_control_character_in_the_commanders_name(liaison_pl):
    pledge = PledgeFactory(request__country="PL")
    client = Client()
    client.force_login(liaison_pl)

    response = client.post(
        reverse("portal:pledge_edit", args=[pledge.pk]),
        {"commander_name": "A\x01B", "commander_contact": "+48", "lines-TOTAL_FORMS": 0, "lines-INITIAL_FORMS": 0,
         "k9_teams-TOTAL_FORMS": 0, "k9_teams-INITIAL_FORMS": 0},
    )  # fmt: skip

    assert response.status_code == 200
    assert "U+0001" in response.content.decode()
    assert Pledge.objects.get().commander_name != "A\x01B"

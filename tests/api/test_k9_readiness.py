"""K9 border readiness over the API: editable data, read-only verdict, clear 400s, the 409."""

import datetime as dt

import pytest
from django.utils import timezone

from deployments.models import Assignment
from pledges.models import K9Team
from tests.api.conftest import client_as
from tests.factories import K9TeamFactory, PledgeFactory, RequestFactory, VenueFactory, accepted_team

pytestmark = pytest.mark.django_db

TEAM = {"handler_name": "Sgt. Ewa", "dog_name": "Luna", "dog_breed": "Springer", "detection": "explosives",
        "certification_expires_on": "2025-06-30", "available_from": "2024-07-20", "available_to": "2024-08-10"}  # fmt: skip
PAPERS = {"microchip": "616093900000042", "pet_passport": "PL-0042", "rabies_vaccinated_on": "2024-05-02"}


def new_pledge(liaison, team):
    req = RequestFactory(country="PL", status="acknowledged")
    return client_as(liaison).post(
        "/api/v1/pledges/",
        {"request": req.pk, "commander_name": "Insp. Nowak", "commander_contact": "+48", "k9_teams": [team]},
    )


def test_a_liaison_records_readiness_and_reads_the_ready_day(liaison_pl):
    response = new_pledge(liaison_pl, {**TEAM, **PAPERS})

    assert response.status_code == 201, response.data
    team = response.data["k9_teams"][0]
    assert team["microchip"] == "616093900000042"
    assert team["ready_from"] == "2024-05-23"
    assert team["readiness"] == []


def test_a_team_without_papers_is_saved_and_says_what_is_missing(liaison_pl):
    response = new_pledge(liaison_pl, TEAM)

    assert response.status_code == 201, response.data
    assert response.data["k9_teams"][0]["ready_from"] is None
    assert response.data["k9_teams"][0]["readiness"] == [
        "Microchip", "Pet passport or health certificate", "Rabies vaccination",
    ]  # fmt: skip


def test_ready_from_and_readiness_cannot_be_written(liaison_pl):
    response = new_pledge(liaison_pl, {**TEAM, "ready_from": "2024-01-01", "readiness": []})

    assert response.status_code == 201, response.data
    assert response.data["k9_teams"][0]["ready_from"] is None


def test_a_microchip_that_is_not_15_digits_is_a_400_naming_the_field_and_writes_nothing(liaison_pl):
    response = new_pledge(liaison_pl, {**TEAM, **PAPERS, "microchip": "61609390000004"})

    assert response.status_code == 400
    assert "microchip" in response.data["k9_teams"][0]
    assert not K9Team.objects.exists()


def test_a_vaccination_date_in_the_future_is_a_400_in_the_users_language_and_writes_nothing(liaison_pl):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = new_pledge(liaison_pl, {**TEAM, **PAPERS, "rabies_vaccinated_on": tomorrow})
    french = client_as(liaison_pl).patch(
        f"/api/v1/pledges/{PledgeFactory(status='draft', request__operation__code='other-op').pk}/",
        {"k9_teams": [{**TEAM, **PAPERS, "rabies_vaccinated_on": tomorrow}]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 400
    assert "rabies_vaccinated_on" in response.data["k9_teams"][0]
    assert french.status_code == 400
    assert "futur" in str(french.data["k9_teams"][0]["rabies_vaccinated_on"])
    assert not K9Team.objects.exists()


def test_placing_a_team_that_is_not_ready_is_a_409_k9_not_ready(coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 10))
    venue = VenueFactory(operation=team.pledge.request.operation)

    response = client_as(coordinator).post(
        "/api/v1/assignments/",
        {"venue": venue.pk, "k9_team": team.pk, "role": "Sweeps",
         "starts_at": "2024-07-26T08:00:00+02:00", "ends_at": "2024-07-26T14:00:00+02:00"},
    )  # fmt: skip

    assert response.status_code == 409
    assert response.data["code"] == "k9_not_ready"
    assert "2024-07-31" in response.data["detail"]
    assert not Assignment.objects.exists()


def test_another_countrys_liaison_never_sees_a_teams_readiness(liaison_de):
    team = K9TeamFactory(pledge__request__country="PL")

    response = client_as(liaison_de).get(f"/api/v1/pledges/{team.pledge.pk}/")

    assert response.status_code == 404


def test_the_k9_team_list_filters_on_readiness_and_says_why(coordinator):
    ready = K9TeamFactory(pledge__request__country="PL")
    K9TeamFactory(pledge__request__country="DE", rabies_vaccinated_on=None)

    not_ready = client_as(coordinator).get("/api/v1/k9-teams/", {"ready": "false"})
    ready_by = client_as(coordinator).get("/api/v1/k9-teams/", {"ready_by": "2024-05-22"})

    assert [(row["country"], row["readiness"]) for row in not_ready.data["results"]] == [("DE", ["Rabies vaccination"])]
    assert [row["id"] for row in ready_by.data["results"]] == [ready.pk]


def test_the_k9_team_list_filters_on_detection_and_certification_expiry(coordinator):
    soon = K9TeamFactory(pledge__request__country="PL", certification_expires_on=dt.date(2024, 8, 5))
    K9TeamFactory(pledge__request__country="DE", certification_expires_on=dt.date(2025, 6, 30))
    K9TeamFactory(pledge__request__country="NL", certification_expires_on=dt.date(2024, 8, 1), detection="narcotics")

    response = client_as(coordinator).get(
        "/api/v1/k9-teams/", {"detection": "explosives", "certification_expires_before": "2024-12-31"}
    )

    assert [row["id"] for row in response.data["results"]] == [soon.pk]


def test_a_liaison_lists_only_their_own_countrys_teams(liaison_pl):
    own = K9TeamFactory(pledge__request__country="PL")
    K9TeamFactory(pledge__request__country="DE")

    response = client_as(liaison_pl).get("/api/v1/k9-teams/")

    assert [row["id"] for row in response.data["results"]] == [own.pk]


def test_the_k9_team_list_writes_nothing(liaison_pl):
    team = K9TeamFactory(pledge__request__country="PL")

    response = client_as(liaison_pl).patch(f"/api/v1/k9-teams/{team.pk}/", {"microchip": "616093900000099"})

    assert response.status_code == 405

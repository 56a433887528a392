"""The staff "K9 teams" page (SPEC §3): every country's teams, filtered by border readiness and expiry."""

import datetime as dt

from django.urls import reverse

from tests.factories import K9TeamFactory


def rows(response) -> list[str]:
    return [team.dog_name for team in response.context["page_obj"]]


def test_the_k9_team_page_lists_the_teams_of_every_country_with_their_readiness(client, coordinator):
    K9TeamFactory(pledge__request__country="PL", pledge__status="accepted", dog_name="Bruno")
    K9TeamFactory(pledge__request__country="DE", pledge__status="submitted", dog_name="Max", rabies_vaccinated_on=None)
    client.force_login(coordinator)

    response = client.get(reverse("k9_team_list", args=["paris-2024"]))

    assert sorted(rows(response)) == ["Bruno", "Max"]
    assert "Ready from 2024-05-22" in response.text
    assert "missing: Rabies vaccination" in response.text


def test_the_k9_team_page_filters_on_readiness(client, coordinator):
    K9TeamFactory(pledge__status="accepted", dog_name="Bruno")
    K9TeamFactory(pledge__request__country="DE", pledge__status="accepted", dog_name="Tosca", pet_passport="")
    client.force_login(coordinator)
    url = reverse("k9_team_list", args=["paris-2024"])

    assert rows(client.get(url, {"ready": "false"})) == ["Tosca"]
    assert rows(client.get(url, {"ready": "true"})) == ["Bruno"]


def test_the_k9_team_page_filters_on_detection_and_certification_expiry(client, coordinator):
    K9TeamFactory(pledge__status="accepted", dog_name="Bruno", certification_expires_on=dt.date(2024, 8, 5))
    K9TeamFactory(pledge__request__country="DE", pledge__status="accepted", dog_name="Saba",
                  certification_expires_on=dt.date(2025, 6, 30))  # fmt: skip
    K9TeamFactory(pledge__request__country="NL", pledge__status="accepted", dog_name="Luna", detection="narcotics",
                  certification_expires_on=dt.date(2024, 8, 1))  # fmt: skip
    client.force_login(coordinator)
    url = reverse("k9_team_list", args=["paris-2024"])

    response = client.get(url, {"detection": "explosives", "certification_expires_before": "2024-12-31"})

    assert rows(response) == ["Bruno"]


def test_the_k9_team_page_leaves_out_draft_pledges(client, coordinator):
    K9TeamFactory(pledge__status="draft", dog_name="Rex")
    client.force_login(coordinator)

    response = client.get(reverse("k9_team_list", args=["paris-2024"]))

    assert rows(response) == []


def test_the_k9_team_page_reads_in_french(client, coordinator):
    K9TeamFactory(pledge__status="accepted", rabies_vaccinated_on=None)
    coordinator.language = "fr"
    coordinator.save()
    client.force_login(coordinator)

    response = client.get(reverse("k9_team_list", args=["paris-2024"]), HTTP_ACCEPT_LANGUAGE="fr")

    assert "Vaccination antirabique" in response.text
    assert "Non prête" in response.text


def test_the_pledge_review_shows_each_teams_readiness(client, coordinator):
    team = K9TeamFactory(pledge__status="submitted", rabies_vaccinated_on=None)
    client.force_login(coordinator)

    response = client.get(reverse("pledge_review", args=[team.pledge.pk]))

    assert "✗ missing: Rabies vaccination" in response.text

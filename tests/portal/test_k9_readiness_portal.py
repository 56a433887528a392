"""The portal records a K9 team's border papers and shows a readiness checklist per team, FR and EN."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from pledges.models import K9Team, Pledge
from tests.factories import K9TeamFactory, RequestFactory
from tests.portal.test_pledge_form import form_data, team

pytestmark = pytest.mark.django_db

PAPERS = {"microchip": "616093900000042", "pet_passport": "PL-0042", "rabies_vaccinated_on": "2024-05-31"}


def test_a_liaison_records_a_teams_border_papers_in_the_pledge_form(pl_client):
    request = RequestFactory(country="PL")

    response = pl_client.post(reverse("portal:pledge_new", args=[request.pk]), form_data(teams=[team(**PAPERS)]))

    saved = K9Team.objects.get()
    assert response.status_code == 302
    assert (saved.microchip, saved.ready_from) == ("616093900000042", dt.date(2024, 6, 21))


def test_a_bad_microchip_or_a_future_vaccination_is_shown_on_its_field_and_nothing_is_saved(pl_client):
    request = RequestFactory(country="PL")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = pl_client.post(
        reverse("portal:pledge_new", args=[request.pk]),
        form_data(teams=[team(**{**PAPERS, "microchip": "6160939"}), team(rabies_vaccinated_on=tomorrow)]),
    )

    html = response.content.decode()
    assert "A microchip number (ISO 11784) is exactly 15 digits." in html
    assert "This date is in the future." in html
    assert not Pledge.objects.exists()


def test_the_pledge_page_shows_a_readiness_checklist_per_team(pl_client):
    ready = K9TeamFactory(pledge__request__country="PL", rabies_vaccinated_on=dt.date(2024, 5, 31))
    K9TeamFactory(pledge=ready.pledge, microchip="", rabies_vaccinated_on=None)

    html = pl_client.get(reverse("portal:pledge_detail", args=[ready.pledge.pk])).content.decode()

    assert "✓ ok: Microchip" in html
    assert "✗ missing: Microchip" in html
    assert "✗ missing: Rabies vaccination" in html
    assert "Ready from 2024-06-21" in html
    assert "Not ready" in html


def test_the_readiness_checklist_reads_in_french(pl_client, liaison_pl):
    liaison_pl.language = "fr"
    liaison_pl.save()
    team_ = K9TeamFactory(pledge__request__country="PL", rabies_vaccinated_on=None)

    html = pl_client.get(
        reverse("portal:pledge_detail", args=[team_.pledge.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "✗ manque: Vaccination antirabique" in html
    assert "Non prête" in html


def test_a_k9_roster_may_carry_the_border_papers(pl_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.roster import parse
    from tests.factories import PledgeFactory

    pledge = PledgeFactory(request__country="PL")
    csv = (
        "handler_name,dog_name,dog_breed,detection,certification_expires_on,available_from,available_to,"
        "microchip,rabies_vaccinated_on\n"
        "Jan Kowalski,Rex,Malinois,explosives,2025-06-30,2024-07-15,2024-08-15,616093900000042,2024-05-31\n"
        "Ewa Nowak,Luna,Malinois,explosives,2025-06-30,2024-07-15,2024-08-15,12345,\n"
    )

    with translation.override("en"):
        rows, problems = parse(SimpleUploadedFile("k9.csv", csv.encode()), "k9_teams", pledge)
        problem = str(problems[0])

    assert rows[0]["microchip"] == "616093900000042"
    assert "pet_passport" not in rows[0]
    assert [p.number for p in problems] == [3]
    assert "microchip: A microchip number (ISO 11784) is exactly 15 digits." in problem

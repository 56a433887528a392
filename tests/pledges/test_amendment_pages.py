"""Amendments on the pages (SPEC §4): the liaison's Amend form in the portal, the change set with before and
after on both sides' pledge pages, and the coordinator's accept / reject per change on the review page."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from deployments.models import Assignment
from pledges.amendment_transitions import amend_pledge
from pledges.models import Amendment
from tests.factories import AssignmentFactory, K9TeamFactory, PledgeFactory, PledgeLineFactory

pytestmark = pytest.mark.django_db

RENEWED = dt.date(2027, 12, 31)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pledge():
    pledge = PledgeFactory(status="accepted", request__country="PL")
    line = PledgeLineFactory(pledge=pledge, officers_offered=10, officers_accepted=10)
    team = K9TeamFactory(pledge=pledge, accepted=True, dog_name="Rex")
    AssignmentFactory(pledge_line=line, quantity=2)
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None)
    return pledge


def _row(obj, fields):
    out = {"row_id": obj.pk}
    for name in fields:
        value = getattr(obj, name)
        if name == "specialty":
            value = obj.specialty_id
        elif name == "languages":
            value = ", ".join(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        out[name] = value
    return out


LINE = ["specialty", "officers_offered", "available_from", "available_to", "languages", "legal_status", "armed",
        "powers"]  # fmt: skip
TEAM = ["handler_name", "dog_name", "dog_breed", "detection", "certification_expires_on", "available_from",
        "available_to", "legal_status", "armed", "powers", "microchip", "pet_passport", "rabies_vaccinated_on",
        "echinococcus_treated_on"]  # fmt: skip


def amend_form(pledge, *, note="", lines=None, teams=None):
    lines = [_row(o, LINE) for o in pledge.lines.all()] if lines is None else lines
    teams = [_row(o, TEAM) for o in pledge.k9_teams.all()] if teams is None else teams
    data = {"note": note, "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": 0, "k9-TOTAL_FORMS": len(teams),
            "k9-INITIAL_FORMS": 0}  # fmt: skip
    for prefix, rows in (("lines", lines), ("k9", teams)):
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{name}": value for name, value in row.items() if value != ""})
    return data


def test_the_amend_page_shows_the_pledges_rows_to_change(pledge, liaison_pl):
    response = logged_in(liaison_pl).get(reverse("portal:pledge_amend", args=[pledge.pk]))

    assert response.status_code == 200
    assert 'value="Rex"' in response.content.decode()


def test_a_liaison_substitutes_a_dog_in_the_portal(pledge, liaison_pl):
    team = pledge.k9_teams.get()
    row = {**_row(team, TEAM), "dog_name": "Luna", "certification_expires_on": "2027-12-31"}

    response = logged_in(liaison_pl).post(
        reverse("portal:pledge_amend", args=[pledge.pk]), amend_form(pledge, note="Rex is ill.", teams=[row])
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    change = Amendment.objects.get().changes.get()
    assert (change.kind, change.before["dog_name"], change.after["dog_name"]) == ("change_team", "Rex", "Luna")


def test_a_row_removed_in_the_portal_becomes_a_removal(pledge, liaison_pl):
    logged_in(liaison_pl).post(reverse("portal:pledge_amend", args=[pledge.pk]), amend_form(pledge, teams=[]))

    assert Amendment.objects.get().changes.get().kind == "remove_team"


def test_a_bad_microchip_in_the_portal_shows_the_error_and_sends_nothing(pledge, liaison_pl):
    team = pledge.k9_teams.get()
    row = {**_row(team, TEAM), "microchip": "61609390000000"}

    response = logged_in(liaison_pl).post(
        reverse("portal:pledge_amend", args=[pledge.pk]), amend_form(pledge, teams=[row])
    )

    assert response.status_code == 200
    assert "exactly 15 digits" in response.content.decode()
    assert not Amendment.objects.exists()


def test_another_countrys_liaison_gets_404_on_the_amend_page(pledge, liaison_de):
    assert logged_in(liaison_de).get(reverse("portal:pledge_amend", args=[pledge.pk])).status_code == 404


def test_both_sides_pledge_pages_show_the_change_with_who_before_and_after(pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.get()
    amend_pledge(
        pledge.pk,
        actor=liaison_pl,
        note="Rex is ill.",
        k9_teams=[{"id": team.pk, "dog_name": "Luna", "certification_expires_on": RENEWED}],
    )

    portal = logged_in(liaison_pl).get(reverse("portal:pledge_detail", args=[pledge.pk])).content.decode()
    staff = logged_in(coordinator).get(reverse("pledge_review", args=[pledge.pk])).content.decode()

    for page in (portal, staff):
        assert "K9 team changed" in page and "dog&#x27;s name: Rex" in page and "dog&#x27;s name: Luna" in page
        assert liaison_pl.username in page and "Rex is ill." in page
    assert 'name="change_' in staff and 'name="change_' not in portal


def test_a_coordinator_accepts_a_substitution_on_the_review_page_and_the_old_dogs_assignment_is_cancelled(
    pledge, liaison_pl, coordinator
):
    team = pledge.k9_teams.get()
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, k9_teams=[{"id": team.pk, "dog_name": "Luna", "certification_expires_on": RENEWED}]
    )
    change = amendment.changes.get()

    response = logged_in(coordinator).post(
        reverse("amendment_decide", args=[amendment.pk]), {f"change_{change.pk}": "accept", "decision_note": "OK"}
    )

    assert response.status_code == 302
    assert Assignment.objects.get(k9_team=team).status == "cancelled"
    assert Assignment.objects.get(pledge_line__isnull=False).status == "planned"


def test_a_decision_missing_a_change_shows_the_error_and_changes_nothing(pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.get()
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, k9_teams=[{"id": team.pk, "dog_name": "Luna", "certification_expires_on": RENEWED}]
    )

    response = logged_in(coordinator).post(reverse("amendment_decide", args=[amendment.pk]), {"decision_note": "?"})

    assert response.status_code == 200
    assert "Accept or reject this change." in response.content.decode()
    assert Amendment.objects.get().status == "submitted"

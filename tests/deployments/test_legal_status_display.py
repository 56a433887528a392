"""Legal status (SPEC §3) shown wherever people are placed, in one wording and both languages; the planner's
"Who" list ranked by the languages a venue's needs ask for; coverage counting who speaks them (SPEC §10)."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from pledges.models import legal_status_text
from pledges.templatetags.legal import legal
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    PledgeFactory,
    PledgeLineFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db
GENDARMERIE = "Gendarmerie · armed · full powers"


def gendarmes(**kwargs):
    return accepted_line(legal_status="gendarmerie", armed=True, powers="full", **kwargs)


def test_the_legal_status_reads_as_one_phrase_in_english_and_in_french():
    assert legal_status_text("gendarmerie", True, "joint_patrol") == "Gendarmerie · armed · joint patrol"
    with translation.override("fr"):
        assert legal_status_text("military", False, "observer") == "Militaire · non armé · observateur"


def test_the_template_filter_reads_a_line_a_team_an_assignment_and_a_row():
    line = gendarmes()
    team = accepted_team(legal_status="military", powers="observer", pledge__request__country="DE")
    assignment = AssignmentFactory(pledge_line=line)

    assert legal(line) == legal(assignment) == GENDARMERIE
    assert legal(team) == "Military · unarmed · observer"
    assert legal({"legal_status": "civil_police", "armed": False, "powers": "joint_patrol"}) == (
        "Civil police · unarmed · joint patrol"
    )


def test_the_assignment_list_and_its_export_show_the_legal_status(client, viewer):
    AssignmentFactory(pledge_line=gendarmes())
    client.force_login(viewer)

    page = client.get(reverse("assignment_list", args=["paris-2024"]))
    export = client.get(reverse("assignment_export", args=["paris-2024"]), {"format": "csv"})

    assert GENDARMERIE in page.content.decode()
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert "Legal status" in lines[0] and GENDARMERIE in lines[1]


def test_the_planner_shows_the_legal_status_of_each_assignment(client, viewer):
    assignment = AssignmentFactory(pledge_line=gendarmes(), starts_at=at(26, 8), ends_at=at(26, 16))
    client.force_login(viewer)

    response = client.get(
        reverse("planner", args=["paris-2024"]), {"venue": assignment.venue.code, "day": "2024-07-26"}
    )

    assert response.context["assignments"][0]["legal"] == GENDARMERIE
    assert GENDARMERIE in response.content.decode()


def test_the_duty_roster_and_its_xlsx_show_the_legal_status(client, viewer):
    assignment = AssignmentFactory(pledge_line=gendarmes(), starts_at=at(26, 8), ends_at=at(26, 16))
    client.force_login(viewer)
    url = f"/ops/paris-2024/roster/{assignment.venue.code}/2024-07-26/"

    page = client.get(url)
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active

    assert page.context["rows"][0]["legal"] == GENDARMERIE
    values = list(sheet.values)
    assert values[0][3] == "Legal status" and values[1][3] == GENDARMERIE


def test_the_duty_roster_reads_the_legal_status_in_french(client, viewer):
    assignment = AssignmentFactory(pledge_line=gendarmes(), starts_at=at(26, 8), ends_at=at(26, 16))
    client.force_login(viewer)

    response = client.get(
        f"/ops/paris-2024/roster/{assignment.venue.code}/2024-07-26/", headers={"accept-language": "fr"}
    )

    assert "Gendarmerie · armé · pleins pouvoirs" in response.content.decode()


def test_the_liaisons_deployments_page_csv_and_pledge_show_the_legal_status(client, liaison_pl):
    line = gendarmes(pledge__request__country="PL")
    AssignmentFactory(pledge_line=line)
    client.force_login(liaison_pl)

    deployments = client.get(reverse("portal:deployments"))
    csv = client.get(reverse("portal:deployments_csv")).content.decode()
    pledge = client.get(reverse("portal:pledge_detail", args=[line.pledge_id]))

    assert GENDARMERIE in deployments.content.decode()
    assert csv.splitlines()[0].endswith("legal_status,armed,powers") and "gendarmerie,true,full" in csv
    assert GENDARMERIE in pledge.content.decode()


def test_the_pledge_review_shows_each_lines_and_teams_legal_status(client, viewer):
    pledge = PledgeFactory(status="submitted")
    PledgeLineFactory(pledge=pledge, legal_status="military", armed=True, powers="observer")
    client.force_login(viewer)

    response = client.get(reverse("pledge_review", args=[pledge.pk]))

    assert "Military · armed · observer" in response.content.decode()


def test_a_liaison_sets_the_legal_status_of_a_line_in_the_portal_form(client, liaison_pl):
    pledge = PledgeFactory(request__country="PL")
    client.force_login(liaison_pl)
    data = {
        "commander_name": "Insp. Nowak", "commander_contact": "+48 22", "notes": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "k9-TOTAL_FORMS": "0", "k9-INITIAL_FORMS": "0",
        "lines-0-specialty": specialty("public_order").pk, "lines-0-officers_offered": "8",
        "lines-0-available_from": "2024-07-10", "lines-0-available_to": "2024-08-20", "lines-0-languages": "pl, EN",
        "lines-0-legal_status": "gendarmerie", "lines-0-armed": "on", "lines-0-powers": "observer",
        "action": "save",
    }  # fmt: skip

    response = client.post(reverse("portal:pledge_edit", args=[pledge.pk]), data)

    assert response.status_code == 302, response.context and response.context.get("top_errors")
    line = pledge.lines.get()
    assert (line.legal_status, line.armed, line.powers, line.languages) == (
        "gendarmerie",
        True,
        "observer",
        ["pl", "en"],
    )


def test_a_coordinator_adds_a_need_that_asks_for_languages_and_arms_and_sees_it_listed(client, coordinator):
    venue = VenueFactory()
    client.force_login(coordinator)
    data = {"specialty": specialty("public_order").pk, "starts_at": "2024-07-26T08:00", "ends_at": "2024-07-26T20:00",
            "quantity": "12", "languages": "es, pt", "legal_status": "", "armed": "true"}  # fmt: skip

    client.post(reverse("venue_detail", args=[venue.pk]), data)
    page = client.get(reverse("venue_detail", args=[venue.pk]))

    need = venue.needs.get()
    assert (need.languages, need.legal_status, need.armed) == (["es", "pt"], None, True)
    assert "speaks es / pt · armed" in page.content.decode()


def test_a_need_with_a_bad_language_code_is_refused_on_its_field_and_not_saved(client, coordinator):
    venue = VenueFactory()
    client.force_login(coordinator)
    data = {"specialty": specialty("public_order").pk, "starts_at": "2024-07-26T08:00", "ends_at": "2024-07-26T20:00",
            "quantity": "12", "languages": "es, spanish"}  # fmt: skip

    response = client.post(reverse("venue_detail", args=[venue.pk]), data)

    assert "Not an ISO 639-1 language code: spanish" in str(response.context["form"].errors["languages"])
    assert not venue.needs.exists()


# ---- the planner's "Who" list ---------------------------------------------------------------------------


def test_the_planners_who_list_puts_speakers_of_the_asked_languages_first_and_shows_the_match(client, coordinator):
    venue = VenueFactory(code="fan-zone")
    operation = venue.operation
    VenueNeedFactory(venue=venue, languages=["es"])
    german = accepted_line(languages=["de"], pledge__request__country="DE", pledge__request__operation=operation)
    spanish = accepted_line(languages=["es", "en"], pledge__request__country="ES", pledge__request__operation=operation)
    client.force_login(coordinator)

    response = client.get(reverse("planner", args=["paris-2024"]), {"venue": "fan-zone", "day": "2024-07-26"})

    choices = dict(response.context["form"].fields["source"].widget.choices)
    officers = [value for value, _label in next(group for _name, group in choices.items() if isinstance(group, list))]
    assert officers == [f"line:{spanish.pk}", f"line:{german.pk}"]
    labels = dict(next(group for group in choices.values() if isinstance(group, list)))
    assert "✓ speaks es" in labels[f"line:{spanish.pk}"]
    assert "✗ speaks none of es" in labels[f"line:{german.pk}"]


# ---- coverage -------------------------------------------------------------------------------------------


def test_coverage_counts_how_many_of_those_assigned_speak_a_language_the_need_asks_for(coordinator):
    venue = VenueFactory()
    operation = venue.operation
    VenueNeedFactory(venue=venue, languages=["es", "pt"], quantity=10, starts_at=at(26, 8), ends_at=at(26, 20))
    speakers = accepted_line(officers=10, languages=["pt"], pledge__request__operation=operation)
    others = accepted_line(
        officers=10, languages=["de"], pledge__request__country="DE", pledge__request__operation=operation
    )
    AssignmentFactory(pledge_line=speakers, venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=speakers, venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=others, venue=venue, quantity=4, starts_at=at(26, 8), ends_at=at(26, 20))

    row = client_as(coordinator).get("/api/v1/coverage/", {"operation": "paris-2024"}).data["by_venue"][0]

    assert (row["needed"], row["assigned"], row["assigned_speaking"]) == (10, 10, 6)
    assert row["languages"] == ["es", "pt"]


def test_coverage_of_a_need_that_asks_no_language_has_no_speaking_count(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=4, starts_at=at(26, 8), ends_at=at(26, 20))

    row = client_as(coordinator).get("/api/v1/coverage/", {"operation": "paris-2024"}).data["by_venue"][0]

    assert row["assigned_speaking"] is None and row["languages"] == []


def test_a_liaisons_coverage_counts_only_their_own_speakers(liaison_pl):
    venue = VenueFactory()
    operation = venue.operation
    VenueNeedFactory(venue=venue, languages=["en"], quantity=10)
    polish = accepted_line(languages=["en"], pledge__request__country="PL", pledge__request__operation=operation)
    german = accepted_line(languages=["en"], pledge__request__country="DE", pledge__request__operation=operation)
    AssignmentFactory(pledge_line=polish, venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=german, venue=venue, quantity=5, starts_at=at(26, 8), ends_at=at(26, 20))

    row = client_as(liaison_pl).get("/api/v1/coverage/", {"operation": "paris-2024"}).data["by_venue"][0]

    assert row["assigned_speaking"] == 3


def test_the_coverage_page_says_how_many_speak_the_languages_asked(client, viewer):
    venue = VenueFactory()
    VenueNeedFactory(venue=venue, languages=["es"], quantity=4)
    line = accepted_line(languages=["es"], pledge__request__operation=venue.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 20))
    client.force_login(viewer)

    response = client.get(reverse("coverage", args=["paris-2024"]), {"from": "2024-07-26"})

    assert "2 speak es" in response.content.decode()

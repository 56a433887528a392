"""SPEC §3, §10: what a need asks of those who cover it (a language, a legal status, arms), refused at every
placement that covers it with `language_mismatch` or `legal_status_mismatch`; and how needs and lines
carry these over the API, with bad codes refused before anything is written."""

import pytest
from django.utils import translation

from core.errors import RuleViolation
from deployments.models import Assignment, VenueNeed
from deployments.transitions import create_assignment, move_assignment
from pledges.models import PledgeLine
from tests.api.conftest import client_as
from tests.factories import (
    PledgeFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


def place(actor, source, venue, start=None, end=None, quantity=2):
    is_line = isinstance(source, PledgeLine)
    return create_assignment(
        actor=actor, venue=venue, starts_at=start or at(26, 8), ends_at=end or at(26, 16),
        pledge_line=source if is_line else None, quantity=quantity if is_line else None,
        k9_team=None if is_line else source,
    )  # fmt: skip


def refused(callable_, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        callable_(*args, **kwargs)
    return err.value


def venue_of(source, **kwargs):
    return VenueFactory(operation=source.pledge.request.operation, **kwargs)


# ---- language_mismatch ---------------------------------------------------------------------------------


def test_a_line_that_speaks_none_of_the_languages_a_need_asks_is_refused_and_told_which(coordinator):
    line = accepted_line(languages=["pl", "en"])
    venue = venue_of(line, name="Fan zone Trocadéro")
    VenueNeedFactory(venue=venue, languages=["es", "pt"], quantity=4)

    error = refused(place, coordinator, line, venue)

    assert error.code == "language_mismatch"
    assert "Fan zone Trocadéro" in error.message and "es, pt" in error.message
    assert not Assignment.objects.exists()


def test_a_line_that_speaks_one_of_the_languages_asked_is_placed(coordinator):
    line = accepted_line(languages=["pl", "es"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es", "pt"])

    place(coordinator, line, venue)

    assert Assignment.objects.filter(pledge_line=line).count() == 1


def test_a_k9_team_covering_a_need_that_asks_for_a_language_is_refused(coordinator):
    team = accepted_team(detection="explosives")
    venue = venue_of(team)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), languages=["fr"], quantity=1)

    assert refused(place, coordinator, team, venue).code == "language_mismatch"


def test_a_need_of_another_specialty_asks_nothing_of_the_line(coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, specialty=specialty("community_patrol"), languages=["es"])

    place(coordinator, line, venue)

    assert Assignment.objects.count() == 1


def test_a_need_that_ends_when_the_placement_starts_asks_nothing_of_it(coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es"], starts_at=at(26, 0), ends_at=at(26, 8))

    place(coordinator, line, venue, at(26, 8), at(26, 16))

    assert Assignment.objects.count() == 1


def test_a_need_at_another_venue_asks_nothing_of_the_line(coordinator):
    line = accepted_line(languages=["pl"])
    VenueNeedFactory(venue=venue_of(line), languages=["es"])

    place(coordinator, line, venue_of(line))

    assert Assignment.objects.count() == 1


def test_moving_a_line_onto_a_need_it_cannot_speak_for_is_refused_and_the_assignment_stays(coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es"], starts_at=at(27, 8), ends_at=at(27, 20))
    assignment = place(coordinator, line, venue, at(26, 8), at(26, 16))

    error = refused(move_assignment, assignment.pk, actor=coordinator, starts_at=at(27, 8), ends_at=at(27, 16))

    assert error.code == "language_mismatch"
    assignment.refresh_from_db()
    assert assignment.starts_at == at(26, 8)


def test_moving_a_line_to_a_venue_whose_need_asks_a_language_it_speaks_is_allowed(coordinator):
    line = accepted_line(languages=["pl", "es"])
    other = venue_of(line)
    VenueNeedFactory(venue=other, languages=["es"])
    assignment = place(coordinator, line, venue_of(line))

    moved = move_assignment(assignment.pk, actor=coordinator, venue=other)

    assert moved.venue == other


# ---- legal_status_mismatch -----------------------------------------------------------------------------


def test_a_civil_police_line_is_refused_where_a_need_asks_for_gendarmerie(coordinator):
    line = accepted_line(legal_status="civil_police")
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, legal_status="gendarmerie")

    error = refused(place, coordinator, line, venue)

    assert error.code == "legal_status_mismatch"
    assert "Gendarmerie" in error.message and "Civil police · unarmed · joint patrol" in error.message


def test_a_gendarmerie_line_is_placed_where_a_need_asks_for_gendarmerie(coordinator):
    line = accepted_line(legal_status="gendarmerie")
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, legal_status="gendarmerie")

    place(coordinator, line, venue)

    assert Assignment.objects.count() == 1


def test_an_unarmed_k9_team_is_refused_where_a_need_asks_for_armed_officers(coordinator):
    team = accepted_team(armed=False)
    venue = venue_of(team)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), armed=True, quantity=1)

    assert refused(place, coordinator, team, venue).code == "legal_status_mismatch"


def test_an_armed_k9_team_is_placed_where_a_need_asks_for_armed_officers(coordinator):
    team = accepted_team(armed=True, legal_status="military")
    venue = venue_of(team)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), armed=True, quantity=1)

    place(coordinator, team, venue)

    assert Assignment.objects.filter(k9_team=team).count() == 1


def test_an_armed_line_is_refused_where_a_need_asks_for_unarmed_officers(coordinator):
    line = accepted_line(armed=True)
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, armed=False)

    assert refused(place, coordinator, line, venue).code == "legal_status_mismatch"


def test_moving_a_line_onto_a_need_for_another_legal_status_is_refused(coordinator):
    line = accepted_line(legal_status="military")
    other = venue_of(line)
    VenueNeedFactory(venue=other, legal_status="civil_police")
    assignment = place(coordinator, line, venue_of(line))

    assert refused(move_assignment, assignment.pk, actor=coordinator, venue=other).code == "legal_status_mismatch"


def test_the_refusal_reads_in_french(coordinator):
    line = accepted_line(legal_status="civil_police")
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, legal_status="gendarmerie")

    with translation.override("fr"):
        error = refused(place, coordinator, line, venue)

    assert "Gendarmerie" in error.message and "Police civile · non armé · patrouille conjointe" in error.message


# ---- over the API --------------------------------------------------------------------------------------


def body(source, venue, **extra):
    data = {"venue": venue.pk, "starts_at": "2024-07-26T08:00:00+02:00", "ends_at": "2024-07-26T16:00:00+02:00"}
    if isinstance(source, PledgeLine):
        data.update(pledge_line=source.pk, quantity=2)
    else:
        data["k9_team"] = source.pk
    return {**data, **extra}


def test_placing_a_line_that_speaks_none_of_the_languages_is_a_409_language_mismatch(coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es"])

    response = client_as(coordinator).post("/api/v1/assignments/", body(line, venue), format="json")

    assert response.status_code == 409
    assert response.data["code"] == "language_mismatch"
    assert not Assignment.objects.exists()


def test_moving_onto_a_need_for_armed_officers_is_a_409_legal_status_mismatch(coordinator):
    line = accepted_line(armed=False)
    other = venue_of(line)
    VenueNeedFactory(venue=other, armed=True)
    assignment = place(coordinator, line, venue_of(line))

    response = client_as(coordinator).patch(f"/api/v1/assignments/{assignment.pk}/", {"venue": other.pk}, format="json")

    assert response.status_code == 409
    assert response.data["code"] == "legal_status_mismatch"


def test_a_need_with_requirements_is_created_and_read_over_the_api(coordinator):
    venue = VenueFactory()
    data = {"venue": venue.pk, "specialty": "public_order", "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T20:00:00+02:00", "quantity": 4, "languages": ["es", "en"],
            "legal_status": "gendarmerie", "armed": True}  # fmt: skip

    response = client_as(coordinator).post("/api/v1/venue-needs/", data, format="json")

    assert response.status_code == 201, response.data
    need = VenueNeed.objects.get()
    assert (need.languages, need.legal_status, need.armed) == (["es", "en"], "gendarmerie", True)
    assert response.data["languages"] == ["es", "en"] and response.data["armed"] is True


def test_a_need_without_requirements_asks_nothing(coordinator):
    venue = VenueFactory()
    data = {"venue": venue.pk, "specialty": "public_order", "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T20:00:00+02:00", "quantity": 4}  # fmt: skip

    response = client_as(coordinator).post("/api/v1/venue-needs/", data, format="json")

    assert response.status_code == 201, response.data
    assert (response.data["languages"], response.data["legal_status"], response.data["armed"]) == ([], None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [("languages", ["xx"]), ("languages", ["ES"]), ("languages", "es"), ("legal_status", "police"), ("armed", "maybe")],
)
def test_a_need_with_a_bad_requirement_is_a_400_and_nothing_is_written(coordinator, field, value):
    venue = VenueFactory()
    data = {"venue": venue.pk, "specialty": "public_order", "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T20:00:00+02:00", "quantity": 4, field: value}  # fmt: skip

    response = client_as(coordinator).post("/api/v1/venue-needs/", data, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not VenueNeed.objects.exists()


def test_a_liaison_writes_the_legal_status_of_lines_and_teams(liaison_pl):
    pledge = PledgeFactory(request__country="PL")
    line = {"specialty": "public_order", "officers_offered": 10, "available_from": "2024-07-10",
            "available_to": "2024-08-20", "legal_status": "gendarmerie", "armed": True, "powers": "full"}  # fmt: skip
    team = {"handler_name": "Sgt. Zieliński", "dog_name": "Rex", "dog_breed": "Malinois", "detection": "explosives",
            "certification_expires_on": "2025-06-30", "available_from": "2024-07-10", "available_to": "2024-08-20",
            "legal_status": "military", "powers": "observer"}  # fmt: skip

    response = client_as(liaison_pl).patch(
        f"/api/v1/pledges/{pledge.pk}/", {"lines": [line], "k9_teams": [team]}, format="json"
    )

    assert response.status_code == 200, response.data
    saved_line, saved_team = pledge.lines.get(), pledge.k9_teams.get()
    assert (saved_line.legal_status, saved_line.armed, saved_line.powers) == ("gendarmerie", True, "full")
    assert (saved_team.legal_status, saved_team.armed, saved_team.powers) == ("military", False, "observer")


def test_a_line_and_team_left_silent_are_unarmed_civil_police_on_joint_patrol(liaison_pl):
    pledge = PledgeFactory(request__country="PL")
    line = {"specialty": "public_order", "officers_offered": 10, "available_from": "2024-07-10",
            "available_to": "2024-08-20"}  # fmt: skip

    response = client_as(liaison_pl).patch(f"/api/v1/pledges/{pledge.pk}/", {"lines": [line]}, format="json")

    assert response.status_code == 200, response.data
    assert (
        response.data["lines"][0].items()
        >= {"legal_status": "civil_police", "armed": False, "powers": "joint_patrol"}.items()
    )


@pytest.mark.parametrize(("field", "value"), [("legal_status", "army"), ("powers", "everything"), ("armed", "often")])
def test_a_line_with_a_bad_legal_status_is_a_400_and_nothing_is_written(liaison_pl, field, value):
    pledge = PledgeFactory(request__country="PL")
    line = {"specialty": "public_order", "officers_offered": 10, "available_from": "2024-07-10",
            "available_to": "2024-08-20", field: value}  # fmt: skip

    response = client_as(liaison_pl).patch(f"/api/v1/pledges/{pledge.pk}/", {"lines": [line]}, format="json")

    assert response.status_code == 400
    assert not pledge.lines.exists()

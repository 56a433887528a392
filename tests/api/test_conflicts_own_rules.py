"""SPEC §10: the conflicts list names K9 readiness (`k9_not_ready`) and what the needs an assignment covers
ask (`language_mismatch`, `legal_status_mismatch`) with the placement engine's bounds. Each case at a
boundary asks the engine first (deployments.transitions.create_assignment): what it places is never listed;
what it refuses is written straight to the table (the data as it is when a team's papers or a need changed
afterwards) and is listed with the same rule."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from core.errors import RuleViolation
from deployments.conflicts import conflicts
from deployments.transitions import create_assignment
from pledges.models import PledgeLine
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    RequestFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


def engine_then_list(actor, source, venue, start, end):
    """(the engine's refusal code or None, the rules the conflicts list names for this placement)."""
    is_line = isinstance(source, PledgeLine)
    fields = {"pledge_line": source if is_line else None, "quantity": 2 if is_line else None,
              "k9_team": None if is_line else source}  # fmt: skip
    try:
        with transaction.atomic():
            placed = create_assignment(actor=actor, venue=venue, starts_at=start, ends_at=end, **fields)
        refused = None
    except RuleViolation as error:
        refused = error.code
        placed = AssignmentFactory(venue=venue, starts_at=start, ends_at=end, **fields)
    listed = [c.rule for c in conflicts(venue.operation) if c.assignment["id"] == placed.pk]
    return refused, listed


def venue_of(source, **kwargs):
    return VenueFactory(operation=source.pledge.request.operation, **kwargs)


# ---- k9_not_ready ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "refused"),
    [
        (at(30, 23) + dt.timedelta(minutes=59), "k9_not_ready"),  # a minute before the day it may cross
        (at(31, 0), None),  # from midnight of that day, in the operation's time zone
    ],
)
def test_a_team_is_listed_until_the_day_it_may_cross(coordinator, start, refused):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 10))  # may cross from 31 July

    assert engine_then_list(coordinator, team, venue_of(team), start, start + dt.timedelta(hours=4)) == (
        refused,
        [refused] if refused else [],
    )


@pytest.mark.parametrize(
    ("papers", "requires_echinococcus", "refused"),
    [
        ({"microchip": ""}, False, "k9_not_ready"),
        ({"pet_passport": ""}, False, "k9_not_ready"),
        ({"echinococcus_treated_on": None}, True, "k9_not_ready"),
        ({"echinococcus_treated_on": None}, False, None),
        ({"echinococcus_treated_on": dt.date(2024, 7, 20)}, True, None),
    ],
)
def test_a_team_missing_a_paper_the_border_asks_for_is_listed(coordinator, papers, requires_echinococcus, refused):
    operation = OperationFactory(code="papers-op", requires_echinococcus=requires_echinococcus)
    pledge = PledgeFactory(status="accepted", request=RequestFactory(operation=operation))
    team = K9TeamFactory(pledge=pledge, accepted=True, **papers)

    assert engine_then_list(coordinator, team, venue_of(team), at(26, 8), at(26, 12)) == (
        refused,
        [refused] if refused else [],
    )


def test_the_list_says_what_is_missing_or_from_when_in_the_users_language(coordinator):
    unchipped = accepted_team(microchip="", handler_name="Sgt. Ewa", dog_name="Luna")
    operation = unchipped.pledge.request.operation
    early = K9TeamFactory(pledge=unchipped.pledge, accepted=True, rabies_vaccinated_on=dt.date(2024, 7, 10))
    for team in (unchipped, early):
        AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 8), ends_at=at(26, 12))

    english = client_as(coordinator).get("/api/v1/conflicts/", {"operation": operation.code, "rule": "k9_not_ready"})
    french = client_as(coordinator).get(
        "/api/v1/conflicts/", {"operation": operation.code, "rule": "k9_not_ready"}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    details = sorted(c["detail"] for c in english.data["conflicts"])
    assert details[0].startswith("Handler") and "may cross the border from 2024-07-31" in details[0]
    assert details[1] == "Sgt. Ewa & Luna is not ready for the border: missing Microchip."
    assert all(c["other"] is None for c in english.data["conflicts"])
    assert any("n'est pas prête pour la frontière" in c["detail"] for c in french.data["conflicts"])


# ---- language_mismatch and legal_status_mismatch ---------------------------------------------------------


@pytest.mark.parametrize(
    ("need_starts", "need_ends", "refused"),
    [
        (at(26, 0), at(26, 8), None),  # ends when the placement starts: not covered
        (at(26, 0), at(26, 9), "language_mismatch"),
        (at(26, 15), at(26, 20), "language_mismatch"),
        (at(26, 16), at(26, 20), None),  # starts when the placement ends
    ],
)
def test_a_line_covering_a_need_it_speaks_none_of_the_languages_of_is_listed(
    coordinator, need_starts, need_ends, refused
):
    line = accepted_line(languages=["pl", "en"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es", "pt"], starts_at=need_starts, ends_at=need_ends)

    assert engine_then_list(coordinator, line, venue, at(26, 8), at(26, 16)) == (refused, [refused] if refused else [])


@pytest.mark.parametrize(
    ("spoken", "need", "refused"),
    [
        (["pl", "es"], {"languages": ["es", "pt"]}, None),
        (["pl"], {"languages": ["es"], "specialty": "community_patrol"}, None),  # another specialty's need
        (["pl"], {"legal_status": "gendarmerie"}, "legal_status_mismatch"),  # civil police by default
        (["pl"], {"armed": False}, None),  # unarmed by default
        (["pl"], {"armed": True}, "legal_status_mismatch"),
    ],
)
def test_a_line_is_listed_only_for_what_a_need_of_its_specialty_asks_and_it_lacks(coordinator, spoken, need, refused):
    line = accepted_line(languages=spoken)
    venue = venue_of(line)
    if "specialty" in need:
        need["specialty"] = specialty(need["specialty"])
    VenueNeedFactory(venue=venue, **need)

    assert engine_then_list(coordinator, line, venue, at(26, 8), at(26, 16)) == (refused, [refused] if refused else [])


@pytest.mark.parametrize(
    ("team", "need", "refused"),
    [
        ({}, {"languages": ["fr"]}, "language_mismatch"),  # a team records no language
        ({"armed": False}, {"armed": True}, "legal_status_mismatch"),
        ({"armed": True, "legal_status": "military"}, {"armed": True}, None),
        ({"detection": "narcotics"}, {"languages": ["fr"]}, None),  # the need is for explosives dogs
    ],
)
def test_a_team_is_listed_for_what_a_need_of_its_detection_asks(coordinator, team, need, refused):
    team = accepted_team(**team)
    venue = venue_of(team)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), quantity=1, **need)

    assert engine_then_list(coordinator, team, venue, at(26, 8), at(26, 12)) == (refused, [refused] if refused else [])


def test_a_need_breaking_both_rules_lists_the_assignment_under_each_naming_the_need(coordinator):
    line = accepted_line(languages=["pl"], legal_status="civil_police")
    venue = venue_of(line, name="Fan zone Trocadéro")
    VenueNeedFactory(venue=venue, languages=["es"], legal_status="gendarmerie", quantity=4)
    AssignmentFactory(pledge_line=line, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16))

    response = client_as(coordinator).get("/api/v1/conflicts/", {"operation": venue.operation.code})

    found = {c["rule"]: c["detail"] for c in response.data["conflicts"]}
    assert set(found) == {"language_mismatch", "legal_status_mismatch"}
    assert "Fan zone Trocadéro" in found["language_mismatch"] and "es" in found["language_mismatch"]
    assert found["legal_status_mismatch"].startswith("The need for 4 ×")
    assert "Gendarmerie" in found["legal_status_mismatch"] and "Civil police" in found["legal_status_mismatch"]


# ---- the filter, the page, the planner -------------------------------------------------------------------


def test_the_filter_by_rule_takes_the_new_codes_and_names_the_known_ones_for_an_unknown_one(coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line)
    VenueNeedFactory(venue=venue, languages=["es"])
    AssignmentFactory(pledge_line=line, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16))
    code = venue.operation.code

    def get(rule, **headers):
        return client_as(coordinator).get("/api/v1/conflicts/", {"operation": code, "rule": rule}, **headers)

    assert [c["rule"] for c in get("language_mismatch").data["conflicts"]] == ["language_mismatch"]
    assert get("legal_status_mismatch").data["count"] == 0
    assert get("k9_not_ready").data["count"] == 0
    unknown = get("language")
    assert unknown.status_code == 400
    assert "Unknown rule code" in str(unknown.data) and "legal_status_mismatch" in str(unknown.data)
    assert "Code de règle inconnu" in str(get("language", HTTP_ACCEPT_LANGUAGE="fr").data)


def test_the_conflicts_page_and_the_planner_show_a_language_mismatch_in_the_users_language(client, coordinator):
    line = accepted_line(languages=["pl"])
    venue = venue_of(line, name="Fan zone Trocadéro")
    VenueNeedFactory(venue=venue, languages=["es"])
    AssignmentFactory(pledge_line=line, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16))
    client.force_login(coordinator)
    code = venue.operation.code

    page = client.get(reverse("conflict_list", args=[code]), {"rule": "language_mismatch"}).content.decode()
    french = client.get(reverse("conflict_list", args=[code]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    planner = client.get(reverse("planner", args=[code]), {"venue": venue.code, "day": "2024-07-26"}).content.decode()

    assert "Languages a need asks for" in page and "asks for speakers of one of es; 2 × " in page
    assert "demande des personnes parlant l&#x27;une de ces langues" in french
    assert planner.count('class="conflict" title="') == 1
    assert "asks for speakers of one of es" in planner

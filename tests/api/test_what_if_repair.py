"""SPEC §10 "What if" with `"repair": true`: also the proposal that would recover the needs that fall short —
grouped by country and venue, the cover after it and what it cannot cover — computed, never written."""

import pytest
from django.apps import apps

from core import freshness
from deployments.models import Assignment
from pledges.models import PledgeLine
from tests.api import test_what_if
from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, VenueNeedFactory, accepted_line, at

pytestmark = pytest.mark.django_db
ask, games = test_what_if.ask, test_what_if.games  # its helper and its fixture
GERMANY_OUT = {"kind": "withdraw_country", "country": "DE"}


def test_germany_withdrawing_is_recovered_by_six_more_poles(coordinator, games):
    response = ask(coordinator, games["operation"], GERMANY_OUT, repair=True)

    assert response.status_code == 200, response.data
    repair = response.data["repair"]
    [poland] = repair["by_country"]
    [stade] = poland["venues"]
    [placement] = stade["assignments"]
    assert (poland["country"], stade["venue"]) == ("PL", "stade")
    assert (placement["source"], placement["quantity"], placement["need"]) == (games["polish"].pk, 6, games["need"].pk)
    assert [(row["venue"], row["needed"], row["assigned"]) for row in repair["coverage_after"]] == [("stade", 10, 10)]
    assert repair["uncovered"] == [] and repair["needs_left_out"] == 0
    assert (repair["officer_hours"], repair["gap_officer_hours"]) == (72.0, 72.0)
    assert repair["scope"] == {
        "from_date": "2024-07-26", "to_date": "2024-07-26", "venues": ["stade"], "specialties": ["public_order"],
    }  # fmt: skip


def test_a_source_withdrawn_from_an_instant_is_not_proposed_for_that_day(coordinator, games):
    change = {"kind": "withdraw_line", "pledge_line": games["polish"].pk, "from": at(26, 14)}

    repair = ask(coordinator, games["operation"], change, repair=True).data["repair"]

    assert [c["country"] for c in repair["by_country"]] == ["DE"]
    [placement] = repair["by_country"][0]["venues"][0]["assignments"]
    assert (placement["source"], placement["quantity"]) == (games["german"].pk, 4)


def test_what_cannot_be_recovered_is_listed_with_why(coordinator, games):
    poland_out = {"kind": "withdraw_country", "country": "PL"}

    repair = ask(coordinator, games["operation"], GERMANY_OUT, poland_out, repair=True).data["repair"]

    assert repair["by_country"] == []
    [uncovered] = repair["uncovered"]
    assert (uncovered["need"], uncovered["missing"]) == (games["need"].pk, 10)
    assert [r["code"] for r in uncovered["reasons"]] == ["capacity"]
    assert repair["coverage_after"][0]["assigned"] == 0


def test_a_raised_need_is_recovered_up_to_its_new_quantity(coordinator, games):
    change = {"kind": "need", "need": games["need"].pk, "quantity": 14}

    repair = ask(coordinator, games["operation"], change, repair=True).data["repair"]

    placed = sum(a["quantity"] for c in repair["by_country"] for v in c["venues"] for a in v["assignments"])
    assert placed == 4
    assert repair["coverage_after"][0]["needed"] == 14 and repair["coverage_after"][0]["assigned"] == 14


def test_the_gaps_of_other_venues_are_left_to_a_proposal_of_their_own(coordinator, games):
    other = VenueFactory(operation=games["operation"], code="arena")
    VenueNeedFactory(venue=other, quantity=5, starts_at=at(26, 8), ends_at=at(26, 20))

    repair = ask(coordinator, games["operation"], GERMANY_OUT, repair=True).data["repair"]

    venues = {v["venue"] for c in repair["by_country"] for v in c["venues"]}
    assert venues == {"stade"}
    assert {row["venue"] for row in repair["coverage_after"]} == {"stade"}


def test_needs_short_beyond_the_first_days_are_counted_not_repaired(coordinator, games):
    for day in (27, 28, 29, 30):
        VenueNeedFactory(venue=games["venue"], quantity=3, starts_at=at(day, 8), ends_at=at(day, 12))
        AssignmentFactory(pledge_line=games["german"], quantity=3, venue=games["venue"], starts_at=at(day, 8),
                          ends_at=at(day, 12))  # fmt: skip

    repair = ask(coordinator, games["operation"], GERMANY_OUT, repair=True).data["repair"]

    assert (repair["scope"]["from_date"], repair["scope"]["to_date"]) == ("2024-07-26", "2024-07-27")
    assert repair["needs_left_out"] == 3
    assert {row["starts_at"][:10] for row in repair["coverage_after"]} == {"2024-07-26", "2024-07-27"}


def test_nothing_short_means_an_empty_repair(coordinator, games):
    spare = accepted_line(pledge__request__operation=games["operation"], pledge__request__country="IT")

    response = ask(coordinator, games["operation"], {"kind": "withdraw_line", "pledge_line": spare.pk}, repair=True)

    assert response.data["repair"]["scope"] is None and response.data["repair"]["by_country"] == []


def test_repairing_writes_nothing(coordinator, games, django_capture_on_commit_callbacks):
    tables = {model._meta.label: model.objects.count() for model in apps.get_models()}
    version = freshness.current_version()

    with django_capture_on_commit_callbacks() as callbacks:
        response = ask(coordinator, games["operation"], {**GERMANY_OUT, "from": at(26, 12)},
                       {"kind": "need", "need": games["need"].pk, "quantity": 12}, repair=True)  # fmt: skip

    assert response.status_code == 200
    assert response.data["repair"]["by_country"]
    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == tables
    assert freshness.current_version() == version
    assert callbacks == []
    games["need"].refresh_from_db()
    assert games["need"].quantity == 10
    assert not PledgeLine.objects.filter(withdrawn_at__isnull=False).exists()
    assert sorted(Assignment.objects.values_list("ends_at", "status")) == [(at(26, 20), "planned")] * 2


def test_a_viewer_may_ask_what_if_but_not_for_the_repair(viewer, games):
    asked = ask(viewer, games["operation"], GERMANY_OUT)
    refused = client_as(viewer).post(
        "/api/v1/what-if/", {"operation": games["operation"].code, "changes": [GERMANY_OUT], "repair": True},
        format="json", HTTP_ACCEPT_LANGUAGE="fr",
    )  # fmt: skip

    assert asked.status_code == 200
    assert refused.status_code == 403
    assert "coordinat" in str(refused.data["detail"]) and "repair" in str(refused.data["detail"])


def test_a_liaison_gets_404_for_a_repair_too(liaison_pl, games):
    assert ask(liaison_pl, games["operation"], GERMANY_OUT, repair=True).status_code == 404


def test_another_operations_line_is_a_400_and_no_repair_is_computed(coordinator, games):
    stranger = accepted_line(pledge__request__operation=OperationFactory(code="elsewhere"))

    response = ask(
        coordinator, games["operation"], GERMANY_OUT, {"kind": "withdraw_line", "pledge_line": stranger.pk}, repair=True
    )

    assert response.status_code == 400
    assert list(response.data["changes"]) == [1] and "pledge_line" in response.data["changes"][1]
    assert not PledgeLine.objects.filter(withdrawn_at__isnull=False).exists()

"""SPEC §10 "What if": `POST /api/v1/what-if/` answers which needs would fall below cover after some changes
(a country, pledge, line or team withdrawn, from an instant; a need raised or lowered), writing nothing."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import freshness
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    OperationFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


def ask(user, operation, *changes, **body):
    return client_as(user).post(
        "/api/v1/what-if/", {"operation": operation.code, "changes": list(changes), **body}, format="json"
    )


@pytest.fixture
def games():
    """A venue needing 10 public-order officers on the 26th, 08:00–20:00, covered by 6 Germans and 4 Poles."""
    german = accepted_line(officers=20, pledge__request__country="DE")
    operation = german.pledge.request.operation
    polish = accepted_line(officers=20, pledge__request__country="PL", pledge__request__operation=operation)
    venue = VenueFactory(operation=operation, code="stade")
    need = VenueNeedFactory(venue=venue, quantity=10, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=german, quantity=6, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=polish, quantity=4, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20))
    return {"operation": operation, "venue": venue, "need": need, "german": german, "polish": polish}


def test_germany_withdrawing_leaves_the_stadium_with_the_polish_four(coordinator, games):
    response = ask(coordinator, games["operation"], {"kind": "withdraw_country", "country": "DE"})

    assert response.status_code == 200, response.data
    [row] = response.data["by_venue"]
    assert (row["venue"], row["specialty"], row["needed"]) == ("stade", "public_order", 10)
    assert (row["assigned_now"], row["assigned_after"], row["assigned"]) == (10, 4, 4)
    assert row["short"] and row["newly_short"] and row["need"] == games["need"].pk
    summary = response.data["summary"]
    assert summary["officer_hours_lost"] == 72.0 and summary["assignments_lost"] == 1
    assert (summary["needs_newly_short"], summary["needs_short_now"], summary["needs_short_after"]) == (1, 0, 1)


def test_a_country_code_is_read_in_any_case(coordinator, games):
    response = ask(coordinator, games["operation"], {"kind": "withdraw_country", "country": "de"})

    assert response.data["by_venue"][0]["assigned_after"] == 4


def test_a_withdrawal_from_an_instant_cuts_the_assignment_straddling_it(coordinator, games):
    response = ask(
        coordinator,
        games["operation"],
        {"kind": "withdraw_line", "pledge_line": games["german"].pk, "from": at(26, 14)},
    )

    [row] = response.data["by_venue"]
    assert (row["assigned_now"], row["assigned_after"]) == (10, 4)
    assert response.data["summary"]["officer_hours_lost"] == 36.0  # 6 officers × 14:00–20:00
    assert (response.data["summary"]["assignments_cut"], response.data["summary"]["assignments_lost"]) == (1, 0)


def test_a_withdrawal_from_after_the_need_changes_nothing_there(coordinator, games):
    response = ask(
        coordinator,
        games["operation"],
        {"kind": "withdraw_line", "pledge_line": games["german"].pk, "from": at(26, 20)},
    )

    assert response.data["by_venue"] == []
    assert response.data["summary"]["officer_hours_lost"] == 0


def test_a_withdrawal_from_before_an_assignment_loses_it_whole(coordinator, games):
    response = ask(
        coordinator,
        games["operation"],
        {"kind": "withdraw_pledge", "pledge": games["polish"].pledge_id, "from": at(25)},
    )

    [row] = response.data["by_venue"]
    assert row["assigned_after"] == 6
    assert response.data["summary"]["assignments_lost"] == 1 and response.data["summary"]["officer_hours_lost"] == 48


def test_a_k9_team_withdrawn_leaves_its_need_uncovered(coordinator):
    team = accepted_team(detection="explosives")
    operation = team.pledge.request.operation
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), quantity=1)
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20)
    )

    response = ask(coordinator, operation, {"kind": "withdraw_team", "k9_team": team.pk})

    [row] = response.data["by_venue"]
    assert (row["specialty"], row["assigned_now"], row["assigned_after"], row["short"]) == ("k9_explosives", 1, 0, True)


def test_raising_a_need_shows_it_short(coordinator, games):
    response = ask(coordinator, games["operation"], {"kind": "need", "need": games["need"].pk, "quantity": 14})

    [row] = response.data["by_venue"]
    assert (row["needed_now"], row["needed"], row["assigned_after"], row["short"]) == (10, 14, 10, True)


def test_lowering_a_need_lifts_a_gap(coordinator, games):
    games["need"].quantity = 12
    games["need"].save()

    response = ask(coordinator, games["operation"], {"kind": "need", "need": games["need"].pk, "quantity": 8})

    [row] = response.data["by_venue"]
    assert (row["needed"], row["assigned_now"], row["short"], row["newly_short"]) == (8, 10, False, False)
    assert (response.data["summary"]["needs_short_now"], response.data["summary"]["needs_short_after"]) == (1, 0)


def test_the_gaps_come_first(coordinator, games):
    other = VenueNeedFactory(venue=VenueFactory(operation=games["operation"], code="aaa-first-by-code"), quantity=2)
    AssignmentFactory(pledge_line=games["german"], quantity=2, venue=other.venue, ends_at=at(26, 20))
    changes = [
        {"kind": "need", "need": other.pk, "quantity": 1},
        {"kind": "withdraw_pledge", "pledge": games["polish"].pledge_id},
    ]

    response = ask(coordinator, games["operation"], *changes)

    assert [(row["venue"], row["short"]) for row in response.data["by_venue"]] == [
        ("stade", True),
        ("aaa-first-by-code", False),
    ]


def test_a_viewer_may_ask(viewer, games):
    response = ask(viewer, games["operation"], {"kind": "withdraw_country", "country": "DE"})

    assert response.status_code == 200
    assert response.data["by_venue"][0]["assigned_after"] == 4


def test_a_liaison_gets_404_even_for_their_own_country(liaison_pl, games):
    response = ask(liaison_pl, games["operation"], {"kind": "withdraw_country", "country": "PL"})

    assert response.status_code == 404


def test_asking_changes_nothing(coordinator, games, django_capture_on_commit_callbacks):
    tables = {model._meta.label: model.objects.count() for model in apps.get_models()}
    version = freshness.current_version()

    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        response = ask(
            coordinator,
            games["operation"],
            {"kind": "withdraw_country", "country": "DE", "from": at(26, 12)},
            {"kind": "withdraw_pledge", "pledge": games["polish"].pledge_id},
            {"kind": "need", "need": games["need"].pk, "quantity": 30},
        )

    assert response.status_code == 200
    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == tables
    assert freshness.current_version() == version
    assert callbacks == []
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    games["need"].refresh_from_db()
    assert games["need"].quantity == 10


def test_the_answer_matches_the_coverage_once_the_change_is_made(coordinator, games):
    answer = ask(
        coordinator,
        games["operation"],
        {"kind": "withdraw_line", "pledge_line": games["german"].pk, "from": at(26, 14)},
    )
    games["german"].assignments.update(ends_at=at(26, 14))

    coverage = client_as(coordinator).get("/api/v1/coverage/", {"operation": games["operation"].code})

    assert coverage.data["by_venue"][0]["assigned"] == answer.data["by_venue"][0]["assigned_after"]


def test_another_operations_pledge_is_refused_naming_the_item_and_field(coordinator, games):
    stranger = accepted_line(pledge__request__operation=OperationFactory(code="elsewhere"))

    response = ask(
        coordinator,
        games["operation"],
        {"kind": "withdraw_country", "country": "DE"},
        {"kind": "withdraw_pledge", "pledge": stranger.pledge_id},
    )

    assert response.status_code == 400
    assert list(response.data["changes"]) == [1]
    assert "pledge" in response.data["changes"][1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "surrender"}, "kind"),
        ({"kind": "withdraw_country", "country": "XX"}, "country"),
        ({"kind": "withdraw_country", "country": "DEU"}, "country"),
        ({"kind": "withdraw_country"}, "country"),
        ({"kind": "withdraw_line", "pledge_line": 999999}, "pledge_line"),
        ({"kind": "withdraw_team", "k9_team": 999999}, "k9_team"),
        ({"kind": "withdraw_pledge", "pledge": 1, "country": "DE"}, "country"),
        ({"kind": "need", "need": 999999, "quantity": 3}, "need"),
        ({"kind": "need", "need": 1, "quantity": -1}, "quantity"),
        ({"kind": "need", "need": 1}, "quantity"),
        ({"kind": "withdraw_country", "country": "DE", "from": "tomorrow"}, "from"),
    ],
)
def test_a_bad_change_is_a_400_naming_its_index_and_field(coordinator, games, change, field):
    good = {"kind": "withdraw_country", "country": "DE"}

    response = ask(coordinator, games["operation"], good, change)

    assert response.status_code == 400, response.data
    assert set(response.data["changes"]) == {1}
    assert field in response.data["changes"][1]


def test_another_operations_need_is_refused(coordinator, games):
    stranger = VenueNeedFactory(venue__operation=OperationFactory(code="elsewhere"))

    response = ask(coordinator, games["operation"], {"kind": "need", "need": stranger.pk, "quantity": 1})

    assert response.status_code == 400
    assert "need" in response.data["changes"][0]


def test_no_change_at_all_is_a_400(coordinator, games):
    response = ask(coordinator, games["operation"])

    assert response.status_code == 400
    assert "changes" in response.data


def test_an_unknown_operation_is_a_404(coordinator):
    response = ask(coordinator, OperationFactory.build(code="nowhere"), {"kind": "withdraw_country", "country": "DE"})

    assert response.status_code == 404


def test_the_error_is_in_the_callers_language(coordinator, games):
    response = client_as(coordinator).post(
        "/api/v1/what-if/",
        {"operation": games["operation"].code, "changes": [{"kind": "withdraw_line", "pledge_line": 999999}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 400
    assert "opération" in response.data["changes"][0]["pledge_line"][0]


def test_asking_costs_the_same_queries_for_one_change_and_many(coordinator, games):
    lines = [
        accepted_line(pledge__request__operation=games["operation"], pledge__request__country=country)
        for country in ("IT", "ES", "BE", "NL", "AT")
    ]

    def queries(changes):
        with CaptureQueriesContext(connection) as ctx:
            response = ask(coordinator, games["operation"], *changes)
        assert response.status_code == 200, response.data
        return len(ctx.captured_queries)

    one = queries([{"kind": "withdraw_line", "pledge_line": games["german"].pk}])
    many = queries([{"kind": "withdraw_line", "pledge_line": line.pk} for line in [games["german"], *lines]])

    # role · operation · lines of the operation · data version (cover now, cached) · cover after · lost duty;
    # the first ask also computes the cover now
    assert many <= one <= 8

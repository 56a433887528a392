"""SPEC §10: `GET /api/v1/conflicts/` lists every live assignment that breaks a rule now, with the rule,
a message and the other assignment involved; ministry staff only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db


def team_shift(team, start, end, **kwargs):
    """Written straight to the table: the data as it is when a rule is tightened afterwards."""
    return AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=start, ends_at=end, **kwargs)


def get(user, operation, **params):
    return client_as(user).get("/api/v1/conflicts/", {"operation": operation.code, **params})


def test_a_rest_too_short_is_listed_with_the_other_assignment(coordinator):
    team = accepted_team(pledge__request__country="PL")
    first = team_shift(team, at(26, 8), at(26, 12))
    second = team_shift(team, at(26, 18), at(26, 22))

    response = get(coordinator, team.pledge.request.operation)

    assert response.status_code == 200
    [conflict] = response.data["conflicts"]
    assert conflict["rule"] == "rest_too_short"
    assert (conflict["assignment"]["id"], conflict["other"]["id"]) == (second.pk, first.pk)
    assert first.venue.name in conflict["detail"] and conflict["assignment"]["country"] == "PL"


def test_a_tightened_rule_makes_a_conflict_of_what_was_placed(coordinator):
    team = accepted_team()
    team_shift(team, at(26, 8), at(26, 18))
    operation = team.pledge.request.operation
    assert get(coordinator, operation).data["count"] == 0

    operation.rules = {**operation.rule_set, "max_duty_hours": 8}
    operation.save()

    assert [c["rule"] for c in get(coordinator, operation).data["conflicts"]] == ["duty_exceeded"]


def test_an_officer_line_over_its_officer_hours_is_listed(coordinator):
    line = accepted_line(officers=10)
    AssignmentFactory(pledge_line=line, quantity=10, starts_at=at(26, 6), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=line, quantity=6, starts_at=at(26, 14), ends_at=at(26, 22))

    conflicts = get(coordinator, line.pledge.request.operation).data["conflicts"]

    assert {c["rule"] for c in conflicts} == {"duty_exceeded"}
    assert "128" in conflicts[0]["detail"]


def test_a_shortened_certification_is_listed(coordinator):
    team = accepted_team()
    team_shift(team, at(26, 8), at(26, 12))
    team.certification_expires_on = dt.date(2024, 7, 25)
    team.save()

    [conflict] = get(coordinator, team.pledge.request.operation).data["conflicts"]

    assert (conflict["rule"], conflict["other"]) == ("certification_expired", None)


def test_travel_between_venues_too_far_apart_for_the_gap_is_listed(coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    stade = VenueFactory(operation=operation, latitude="48.924500", longitude="2.360200")
    eiffel = VenueFactory(operation=operation, latitude="48.858400", longitude="2.294500")
    team_shift(team, at(26, 8), at(26, 12), venue=stade)
    team_shift(
        team,
        at(
            26,
            12,
        ),
        at(26, 16),
        venue=eiffel,
    )
    team_shift(team, at(26, 16), at(26, 18), venue=eiffel)  # the same venue: no travel

    [conflict] = get(coordinator, operation).data["conflicts"]

    assert conflict["rule"] == "travel_too_short"


def test_cancelled_and_completed_assignments_are_not_listed(coordinator):
    team = accepted_team()
    team_shift(team, at(26, 8), at(26, 12), status="completed")
    team_shift(team, at(26, 18), at(26, 22), status="cancelled")

    assert get(coordinator, team.pledge.request.operation).data["count"] == 0


def test_the_list_narrows_by_rule_and_by_country(viewer):
    pl = accepted_team(pledge__request__country="PL")
    operation = pl.pledge.request.operation
    de = accepted_team(pledge__request__country="DE", pledge__request__operation=operation)
    for team in (pl, de):
        team_shift(team, at(26, 8), at(26, 12))
        team_shift(team, at(26, 18), at(26, 22))
    team_shift(de, at(27, 6), at(27, 22))

    by_country = get(viewer, operation, country="pl").data["conflicts"]
    by_rule = get(viewer, operation, rule="duty_exceeded").data["conflicts"]

    assert {c["assignment"]["country"] for c in by_country} == {"PL"}
    assert {(c["rule"], c["assignment"]["country"]) for c in by_rule} == {("duty_exceeded", "DE")}


@pytest.mark.parametrize("params", [{"rule": "nap"}, {"country": "XX"}, {"operation": ""}])
def test_a_bad_filter_gets_a_400(coordinator, params):
    operation = accepted_team().pledge.request.operation

    response = client_as(coordinator).get("/api/v1/conflicts/", {"operation": operation.code, **params})

    assert response.status_code == 400


def test_an_unknown_operation_is_a_404(coordinator):
    assert client_as(coordinator).get("/api/v1/conflicts/", {"operation": "nowhere"}).status_code == 404


def test_a_liaison_gets_404_even_for_their_own_country(liaison_pl):
    team = accepted_team(pledge__request__country="PL", pledge__request__status="sent")
    team_shift(team, at(26, 8), at(26, 12))
    team_shift(team, at(26, 18), at(26, 22))

    response = get(liaison_pl, team.pledge.request.operation)

    assert response.status_code == 404
    assert set(response.data) == {"detail", "code"}


def test_conflicts_cost_the_same_queries_for_few_and_many(coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    line = accepted_line(officers=2, pledge__request__operation=operation, pledge__request__country="DE")

    def add(days):
        for day in days:
            team_shift(team, at(day, 6), at(day, 10))
            team_shift(team, at(day, 16), at(day, 20))
            AssignmentFactory(pledge_line=line, quantity=2, starts_at=at(day, 6), ends_at=at(day, 20))

    def queries():
        fresh = client_as(type(coordinator).objects.get(pk=coordinator.pk))  # no role cached from before
        with CaptureQueriesContext(connection) as ctx:
            response = fresh.get("/api/v1/conflicts/", {"operation": operation.code})
        return len(ctx.captured_queries), response.data["count"]

    add([11])
    few, small = queries()
    add(range(12, 22))
    many, large = queries()

    # groups (role) · operation · one statement per rule (4) · specialties · the
    # assignments named.
    # Per day: the team's 6-hour break (rest) and the line's 28 officer-hours (duty); from the second day on,
    # the team's 10-hour night too (rest).
    assert few == 8
    assert (small, large) == (2, 32)
    assert many == few


def test_officer_hours_of_overlapping_shifts_add_up_across_midnight(coordinator):
    line = accepted_line(officers=10)
    AssignmentFactory(pledge_line=line, quantity=5, starts_at=at(26, 18), ends_at=at(27, 6))  # 60
    AssignmentFactory(pledge_line=line, quantity=5, starts_at=at(26, 22), ends_at=at(27, 10))  # 60
    late = AssignmentFactory(pledge_line=line, quantity=1, starts_at=at(27, 10), ends_at=at(27, 12))  # 2 more

    conflicts = get(coordinator, line.pledge.request.operation, rule="duty_exceeded").data["conflicts"]

    assert late.pk in {c["assignment"]["id"] for c in conflicts}
    assert all("122" in c["detail"] for c in conflicts)

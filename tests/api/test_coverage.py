import pytest

from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    OperationFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


def need_row(client):
    response = client.get("/api/v1/coverage/", {"operation": "paris-2024"})
    assert response.status_code == 200, response.data
    return response.data["by_venue"][0]


def test_a_need_counts_the_fewest_on_duty_at_any_instant_so_a_gap_shows(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), quantity=6)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=4, starts_at=at(26, 12), ends_at=at(26, 20))

    row = need_row(client_as(coordinator))

    assert (row["needed"], row["assigned"]) == (6, 4)


def test_a_need_left_uncovered_for_an_hour_counts_zero(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), quantity=2)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 12))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(26, 13), ends_at=at(26, 20))

    assert need_row(client_as(coordinator))["assigned"] == 0


def test_a_need_ignores_cancelled_assignments_other_venues_and_other_specialties(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=3)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=3, status="cancelled")
    AssignmentFactory(pledge_line=line, quantity=3, venue=VenueFactory(operation=venue.operation))
    AssignmentFactory(pledge_line=accepted_line(pledge=line.pledge, specialty=specialty("mounted")), venue=venue)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=1, starts_at=at(26, 6), ends_at=at(26, 22))

    assert need_row(client_as(coordinator))["assigned"] == 1


def test_k9_teams_cover_a_canine_need_one_each(coordinator):
    team = accepted_team(detection="explosives")
    venue = VenueFactory(operation=team.pledge.request.operation)
    VenueNeedFactory(venue=venue, specialty=specialty("k9_explosives"), quantity=2)
    AssignmentFactory(
        pledge_line=None, k9_team=team, quantity=None, venue=venue, starts_at=at(26, 7), ends_at=at(26, 21)
    )

    row = need_row(client_as(coordinator))

    assert (row["specialty"], row["needed"], row["assigned"]) == ("k9_explosives", 2, 1)


def test_coverage_counts_requested_pledged_accepted_and_assigned_by_country_and_specialty(coordinator):
    op = OperationFactory(code="paris-2024")
    poland = RequestFactory(operation=op, country="PL")
    RequestLineFactory(request=poland, quantity=20)
    line = accepted_line(officers=6, pledge__request=poland)
    PledgeLineFactory(pledge__request=poland, pledge__status="submitted", officers_offered=4)
    AssignmentFactory(pledge_line=line, quantity=5)
    RequestLineFactory(request=RequestFactory(operation=op, country="DE"), quantity=7)
    RequestLineFactory(request=RequestFactory(operation=op, country="IT", status="draft"), quantity=99)

    data = client_as(coordinator).get("/api/v1/coverage/", {"operation": "paris-2024"}).data

    assert data["by_country"] == [
        {"country": "DE", "requested": 7, "pledged": 0, "accepted": 0, "assigned": 0},
        {"country": "PL", "requested": 20, "pledged": 10, "accepted": 6, "assigned": 5},
    ]
    assert data["by_specialty"] == [
        {"specialty": "public_order", "requested": 27, "pledged": 10, "accepted": 6, "assigned": 5}
    ]


def test_a_liaison_gets_only_their_countrys_rows(liaison_pl):
    op = OperationFactory(code="paris-2024")
    RequestLineFactory(request=RequestFactory(operation=op, country="PL"), quantity=20)
    RequestLineFactory(request=RequestFactory(operation=op, country="DE"), quantity=7)

    data = client_as(liaison_pl).get("/api/v1/coverage/", {"operation": "paris-2024"}).data

    assert [row["country"] for row in data["by_country"]] == ["PL"]
    assert data["by_specialty"][0]["requested"] == 20


def test_coverage_of_an_operation_without_the_liaisons_country_is_a_404(liaison_de):
    RequestFactory(operation=OperationFactory(code="paris-2024"), country="PL")

    response = client_as(liaison_de).get("/api/v1/coverage/", {"operation": "paris-2024"})

    assert response.status_code == 404


def test_coverage_without_an_operation_is_a_400(coordinator):
    response = client_as(coordinator).get("/api/v1/coverage/")

    assert response.status_code == 400
    assert "operation" in response.data


def test_coverage_takes_two_queries_whatever_the_size(coordinator, django_assert_max_num_queries):
    line = accepted_line(officers=50)
    venue = VenueFactory(operation=line.pledge.request.operation)
    for hour in range(8, 20):
        VenueNeedFactory(venue=venue, starts_at=at(26, hour), ends_at=at(26, hour + 1))
        AssignmentFactory(pledge_line=line, venue=venue, quantity=1, starts_at=at(26, hour), ends_at=at(26, hour + 2))
    client = client_as(coordinator)

    # groups of the user (role), the operation, the totals, the needs
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/coverage/", {"operation": "paris-2024"})

    assert len(response.data["by_venue"]) == 12


def test_a_handover_on_the_hour_is_no_gap(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), quantity=3)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=3, starts_at=at(26, 14), ends_at=at(26, 20))

    assert need_row(client_as(coordinator))["assigned"] == 3


def test_a_lines_assigned_count_is_its_peak_not_the_sum_of_its_shifts(coordinator):
    line = accepted_line(officers=10)
    AssignmentFactory(pledge_line=line, quantity=6, starts_at=at(26, 8), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=line, quantity=6, starts_at=at(26, 14), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=line, quantity=3, starts_at=at(26, 13), ends_at=at(26, 15))

    data = client_as(coordinator).get("/api/v1/coverage/", {"operation": "paris-2024"}).data

    assert data["by_country"][0]["assigned"] == 9

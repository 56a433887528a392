from deployments.queries import coverage_grid
from tests.factories import (
    AssignmentFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)


def test_a_need_counts_the_fewest_on_duty_at_any_instant_of_its_window(db):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 12))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 10))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(26, 10), ends_at=at(26, 12))

    (row,) = coverage_grid(venue.operation_id)

    assert (row["quantity"], row["assigned"]) == (6, 2)


def test_cancelled_assignments_and_other_specialties_do_not_cover_a_need(db):
    line = accepted_line(officers=10, specialty=specialty("mounted"))
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 12))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=5, starts_at=at(26, 8), ends_at=at(26, 12))

    (row,) = coverage_grid(venue.operation_id)

    assert row["assigned"] == 0


def test_a_k9_team_covers_the_canine_specialty_of_its_detection(db):
    team = accepted_team(detection="explosives")
    venue = VenueFactory(operation=team.pledge.request.operation)
    VenueNeedFactory(
        venue=venue, specialty=specialty("k9_explosives"), quantity=1, starts_at=at(26, 8), ends_at=at(26, 12)
    )
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 7), ends_at=at(26, 13)
    )

    (row,) = coverage_grid(venue.operation_id)

    assert row["assigned"] == 1

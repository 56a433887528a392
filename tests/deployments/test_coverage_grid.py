import datetime as dt

from deployments.queries import coverage_grid, planner_timeline
from reinforcements.models import Specialty
from tests.factories import (
    AssignmentFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

HALF_HOUR = dt.timedelta(minutes=30)


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


def test_a_need_alone_in_its_window_shows_its_surplus(db):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 12))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=5, starts_at=at(26, 8), ends_at=at(26, 12))

    (row,) = coverage_grid(venue.operation_id)

    assert (row["quantity"], row["assigned"]) == (2, 5)


def test_a_need_before_the_window_still_claims_its_share_of_an_overlapping_one(db):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=4, starts_at=at(26, 6), ends_at=at(26, 10))
    VenueNeedFactory(venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 14))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=5, starts_at=at(26, 6), ends_at=at(26, 14))

    (row,) = coverage_grid(venue.operation_id, starts=at(26, 10))

    assert (row["quantity"], row["assigned"]) == (3, 1)  # from 08:00 to 10:00, 5 on duty less the first need's 4


def test_the_planner_reads_a_handover_inside_an_hour_as_no_gap(db):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    VenueNeedFactory(venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 10))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 8) + HALF_HOUR)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=3, starts_at=at(26, 8) + HALF_HOUR, ends_at=at(26, 10))
    hours = [(at(26, h), at(26, h + 1)) for h in range(8, 11)]

    (row,) = planner_timeline(venue.pk, hours, {s.pk: s for s in Specialty.objects.all()})

    assert [(c["needed"], c["assigned"], c["state"]) for c in row["cells"]] == [
        (3, 3, "ok"),
        (3, 3, "ok"),
        (0, 0, "none"),
    ]

"""SPEC §5: what an assignment may use, where and when. Refusals come from the one place that places people."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.transitions import cancel_assignment, create_assignment, move_assignment
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeLineFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db


def place(actor, source, start, end, quantity=None, venue=None):
    is_line = hasattr(source, "officers_accepted")
    venue = venue or VenueFactory(operation=source.pledge.request.operation)
    return create_assignment(
        actor=actor, venue=venue, starts_at=start, ends_at=end,
        pledge_line=source if is_line else None, quantity=quantity, k9_team=None if is_line else source,
    )  # fmt: skip


def refusal(callable_, *args, **kwargs) -> str:
    with pytest.raises(RuleViolation) as err:
        callable_(*args, **kwargs)
    return err.value.code


def test_officers_of_a_line_can_be_split_up_to_the_accepted_number(coordinator):
    line = accepted_line(officers=10)

    place(coordinator, line, at(26, 8), at(26, 16), quantity=6)
    place(coordinator, line, at(26, 10), at(26, 18), quantity=4)

    assert Assignment.objects.filter(pledge_line=line).count() == 2


def test_it_refuses_more_officers_than_accepted_at_any_instant(coordinator):
    line = accepted_line(officers=10)
    place(coordinator, line, at(26, 8), at(26, 12), quantity=6)
    place(coordinator, line, at(26, 14), at(26, 18), quantity=6)

    assert refusal(place, coordinator, line, at(26, 11), at(26, 15), quantity=5) == "capacity_exceeded"


def test_back_to_back_shifts_may_each_use_the_whole_line(coordinator):
    line = accepted_line(officers=10)

    # 6 + 6 hours: the whole line for twelve hours, the SPEC §10 duty limit (officer-hours).
    place(coordinator, line, at(26, 6), at(26, 12), quantity=10)
    place(coordinator, line, at(26, 12), at(26, 18), quantity=10)

    assert Assignment.objects.filter(pledge_line=line).count() == 2


def test_a_cancelled_assignment_frees_its_officers(coordinator):
    line = accepted_line(officers=10)
    first = place(coordinator, line, at(26, 8), at(26, 16), quantity=10)

    cancel_assignment(first.pk, actor=coordinator, reason="Match postponed.")
    place(coordinator, line, at(26, 8), at(26, 16), quantity=10)

    assert Assignment.objects.filter(pledge_line=line).exclude(status="cancelled").count() == 1


def test_moving_an_assignment_is_held_to_the_capacity(coordinator):
    line = accepted_line(officers=10)
    place(coordinator, line, at(26, 8), at(26, 12), quantity=6)
    later = place(coordinator, line, at(26, 14), at(26, 18), quantity=6)

    code = refusal(move_assignment, later.pk, actor=coordinator, starts_at=at(26, 10), ends_at=at(26, 18))

    later.refresh_from_db()
    assert (code, later.starts_at) == ("capacity_exceeded", at(26, 14))


def test_a_k9_team_cannot_be_in_two_overlapping_assignments(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 16))

    assert refusal(place, coordinator, team, at(26, 15), at(26, 20)) == "k9_overlap"


def test_a_k9_team_may_work_back_to_back_and_again_once_cancelled(coordinator):
    team = accepted_team()
    first = place(coordinator, team, at(26, 8), at(26, 16))
    place(coordinator, team, at(26, 16), at(26, 20))

    cancel_assignment(first.pk, actor=coordinator, reason="Swept by the army.")
    place(coordinator, team, at(26, 9), at(26, 15))

    assert team.assignments.exclude(status="cancelled").count() == 2


def test_the_database_itself_refuses_overlapping_k9_assignments():
    team = accepted_team()
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 8), ends_at=at(26, 16))

    with pytest.raises(IntegrityError, match="deployments_assignment_k9_no_overlap"):
        AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 12), ends_at=at(26, 20))


def test_the_database_ignores_a_cancelled_k9_assignment_when_checking_overlap():
    team = accepted_team()
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, status="cancelled")

    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team)

    assert team.assignments.count() == 2


def test_the_database_refuses_an_assignment_ending_before_it_starts():
    with pytest.raises(IntegrityError, match="deployments_assignment_starts_before_end"):
        AssignmentFactory(starts_at=at(26, 16), ends_at=at(26, 8))


def test_the_database_refuses_an_assignment_of_both_a_line_and_a_team():
    line = accepted_line()

    with pytest.raises(IntegrityError, match="deployments_assignment_line_xor_team"):
        AssignmentFactory(pledge_line=line, k9_team=accepted_team(pledge=line.pledge))


def test_it_refuses_an_assignment_outside_availability(coordinator):
    line = accepted_line()

    assert refusal(place, coordinator, line, at(21, 8, month=8), at(21, 16, month=8), quantity=1) == (
        "outside_availability"
    )


def test_availability_counts_whole_days_in_the_operation_time_zone(coordinator):
    line = accepted_line(available_to=dt.date(2024, 7, 26))

    place(coordinator, line, at(26, 16), at(27, 0), quantity=1)

    assert refusal(place, coordinator, line, at(26, 16), at(27, 1), quantity=1) == "outside_availability"


def test_it_refuses_an_assignment_outside_the_operation_dates(coordinator):
    operation = OperationFactory(code="rugby-2023", starts_on=dt.date(2024, 7, 1), ends_on=dt.date(2024, 7, 20))
    line = accepted_line(pledge__request__operation=operation)

    assert refusal(place, coordinator, line, at(25, 8), at(25, 16), quantity=1) == "outside_operation"


def test_it_refuses_a_venue_of_another_operation(coordinator):
    line = accepted_line()
    elsewhere = VenueFactory(operation=OperationFactory(code="lyon-2025"))

    assert refusal(place, coordinator, line, at(26, 8), at(26, 16), quantity=1, venue=elsewhere) == (
        "venue_operation_mismatch"
    )


def test_it_refuses_a_k9_team_whose_certification_ends_before_the_assignment(coordinator):
    team = accepted_team(certification_expires_on=dt.date(2024, 7, 25))

    assert refusal(place, coordinator, team, at(26, 8), at(26, 16)) == "certification_expired"


def test_a_certification_is_valid_until_the_end_of_its_last_day(coordinator):
    team = accepted_team(certification_expires_on=dt.date(2024, 7, 26))

    place(coordinator, team, at(26, 14), at(26, 23))

    assert refusal(place, coordinator, team, at(26, 23), at(27, 1)) == "certification_expired"


@pytest.mark.parametrize(
    "source",
    [
        lambda: PledgeLineFactory(pledge__status="accepted", officers_accepted=0),
        lambda: PledgeLineFactory(pledge__status="submitted", officers_accepted=0),
        lambda: PledgeLineFactory(pledge__status="withdrawn", officers_accepted=10),
        lambda: PledgeLineFactory(pledge__status="rejected", officers_accepted=0),
        lambda: K9TeamFactory(pledge__status="partially_accepted", accepted=False),
        lambda: K9TeamFactory(pledge__status="withdrawn", accepted=True),
    ],
    ids=["line-not-accepted", "pledge-undecided", "pledge-withdrawn", "pledge-rejected", "team-not-accepted",
         "team-withdrawn"],
)  # fmt: skip
def test_only_accepted_capacity_can_be_assigned(source, coordinator):
    assert refusal(place, coordinator, source(), at(26, 8), at(26, 16), quantity=1) == "not_accepted"


def test_a_line_of_a_partially_accepted_pledge_can_be_assigned_its_accepted_officers(coordinator):
    line = PledgeLineFactory(pledge__status="partially_accepted", officers_offered=10, officers_accepted=4)

    place(coordinator, line, at(26, 8), at(26, 16), quantity=4)

    assert refusal(place, coordinator, line, at(26, 8), at(26, 16), quantity=1) == "capacity_exceeded"


def test_a_viewer_or_a_liaison_cannot_place_anyone(viewer, liaison_pl):
    line = accepted_line()

    for actor in (viewer, liaison_pl):
        with pytest.raises(PermissionDenied):
            place(actor, line, at(26, 8), at(26, 16), quantity=1)

    assert not Assignment.objects.exists()

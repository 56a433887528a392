import pytest
from django.db import IntegrityError

from deployments.models import Assignment
from deployments.transitions import create_assignment
from reinforcements.errors import RuleViolation
from tests.factories import AssignmentFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db


def place(actor, source, start, end, quantity=None, venue=None):
    is_line = hasattr(source, "officers_accepted")
    venue = venue or VenueFactory(operation=source.pledge.request.operation)
    return create_assignment(
        actor=actor, venue=venue, starts_at=start, ends_at=end,
        pledge_line=source if is_line else None, quantity=quantity, k9_team=None if is_line else source,
    )  # fmt: skip


def test_officers_of_a_line_can_be_split_up_to_the_accepted_number(coordinator):
    line = accepted_line(officers=10)

    place(coordinator, line, at(26, 8), at(26, 16), quantity=6)
    place(coordinator, line, at(26, 10), at(26, 18), quantity=4)

    assert Assignment.objects.filter(pledge_line=line).count() == 2


def test_it_refuses_more_officers_than_accepted_at_any_instant(coordinator):
    line = accepted_line(officers=10)
    place(coordinator, line, at(26, 8), at(26, 12), quantity=6)
    place(coordinator, line, at(26, 14), at(26, 18), quantity=6)

    with pytest.raises(RuleViolation) as err:
        place(coordinator, line, at(26, 11), at(26, 15), quantity=5)

    assert err.value.code == "capacity_exceeded"


def test_a_k9_team_cannot_be_in_two_overlapping_assignments(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 16))

    with pytest.raises(RuleViolation) as err:
        place(coordinator, team, at(26, 15), at(26, 20))

    assert err.value.code == "k9_overlap"


def test_the_database_itself_refuses_overlapping_k9_assignments():
    team = accepted_team()
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 8), ends_at=at(26, 16))

    with pytest.raises(IntegrityError, match="deployments_assignment_k9_no_overlap"):
        AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 12), ends_at=at(26, 20))


def test_it_refuses_an_assignment_outside_availability(coordinator):
    line = accepted_line()

    with pytest.raises(RuleViolation) as err:
        place(coordinator, line, at(21, 8, month=8), at(21, 16, month=8), quantity=1)

    assert err.value.code == "outside_availability"


def test_it_refuses_a_k9_team_whose_certification_ends_before_the_assignment(coordinator):
    import datetime as dt

    team = accepted_team(certification_expires_on=dt.date(2024, 7, 25))

    with pytest.raises(RuleViolation) as err:
        place(coordinator, team, at(26, 8), at(26, 16))

    assert err.value.code == "certification_expired"

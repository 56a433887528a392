"""SPEC §3/§10 `k9_not_ready`: a K9 team is placed only once it may cross the border."""

import datetime as dt

import pytest
from django.utils import translation

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.transitions import create_assignment, move_assignment
from tests.factories import VenueFactory, accepted_team, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The labels are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def place(actor, team, start, end):
    venue = VenueFactory(operation=team.pledge.request.operation)
    return create_assignment(actor=actor, venue=venue, starts_at=start, ends_at=end, k9_team=team)


def test_a_team_vaccinated_20_days_before_the_assignment_is_refused(coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 6))

    with pytest.raises(RuleViolation) as err:
        place(coordinator, team, at(26, 8), at(26, 14))

    assert err.value.code == "k9_not_ready"
    assert "2024-07-27" in err.value.message
    assert not Assignment.objects.exists()


def test_a_team_vaccinated_21_days_before_the_assignment_is_placed(coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 5))

    assignment = place(coordinator, team, at(26, 0), at(26, 6))

    assert assignment.k9_team == team


def test_the_ready_day_begins_at_midnight_in_the_operations_time_zone(coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 5))

    with pytest.raises(RuleViolation) as err:
        place(coordinator, team, at(25, 23), at(26, 6))

    assert err.value.code == "k9_not_ready"


def test_a_team_missing_its_vaccination_is_refused_naming_what_is_missing(coordinator):
    team = accepted_team(rabies_vaccinated_on=None, microchip="")

    with pytest.raises(RuleViolation) as err:
        place(coordinator, team, at(26, 8), at(26, 14))

    assert err.value.code == "k9_not_ready"
    assert "Microchip" in err.value.message and "Rabies vaccination" in err.value.message


def test_moving_an_assignment_before_the_ready_day_is_refused_and_changes_nothing(coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 5))
    assignment = place(coordinator, team, at(27, 8), at(27, 14))

    with pytest.raises(RuleViolation) as err:
        move_assignment(assignment.pk, actor=coordinator, starts_at=at(25, 8), ends_at=at(25, 14))

    assert err.value.code == "k9_not_ready"
    assignment.refresh_from_db()
    assert assignment.starts_at == at(27, 8)

"""Coverage and conflicts are cached per process by data version (core/freshness.py): committed changes
show at once."""

import pytest
from django.db import transaction

from core import freshness
from deployments import transitions
from deployments.models import VenuePair
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db(transaction=True)


def need_assigned(operation, user):
    response = client_as(user).get("/api/v1/coverage/", {"operation": operation.code})
    return response.data["by_venue"][0]["assigned"]


def test_a_committed_assignment_shows_in_the_next_coverage_though_the_last_one_was_cached(coordinator):
    line = accepted_line(officers=10)
    operation = line.pledge.request.operation
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), quantity=6)
    assert need_assigned(operation, coordinator) == 0
    assert need_assigned(operation, coordinator) == 0  # from the cache now

    transitions.create_assignment(
        actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), pledge_line=line, quantity=4
    )

    assert need_assigned(operation, coordinator) == 4


def test_the_version_moves_once_per_transaction_and_only_after_its_commit(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    before = freshness.current_version()
    with transaction.atomic():
        AssignmentFactory(pledge_line=line, venue=venue, quantity=1)
        AssignmentFactory(pledge_line=line, venue=venue, quantity=1, starts_at=at(27, 8), ends_at=at(27, 12))
        assert freshness.current_version() == before

    assert freshness.current_version() == before + 1


def test_a_transaction_with_changes_of_its_own_counts_them_and_leaves_the_cache_alone(coordinator):
    line = accepted_line(officers=10)
    operation = line.pledge.request.operation
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 20), quantity=6)
    assert need_assigned(operation, coordinator) == 0

    with pytest.raises(RuntimeError), transaction.atomic():
        AssignmentFactory(pledge_line=line, venue=venue, quantity=3, starts_at=at(26, 8), ends_at=at(26, 20))
        assert need_assigned(operation, coordinator) == 3
        raise RuntimeError("rolled back")

    assert need_assigned(operation, coordinator) == 0


# ---- conflicts (SPEC §10): the whole operation's list is cached the same way -----------------------------------


def conflict_rules(operation, user, **params):
    response = client_as(user).get("/api/v1/conflicts/", {"operation": operation.code, **params})
    return [c["rule"] for c in response.data["conflicts"]]


def test_a_committed_change_and_a_tightened_rule_show_in_the_next_conflicts_though_the_last_were_cached(coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    venue = VenueFactory(operation=operation)
    first = AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 8), ends_at=at(26, 12)
    )
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 18), ends_at=at(26, 22)
    )
    assert conflict_rules(operation, coordinator) == ["rest_too_short"]
    assert conflict_rules(operation, coordinator) == ["rest_too_short"]  # from the cache now

    transitions.cancel_assignment(first.pk, actor=coordinator, reason="Rest")
    assert conflict_rules(operation, coordinator) == []

    operation.rules = {**operation.rule_set, "max_duty_hours": 3}
    operation.save()  # the operation is not watched: its rules are part of the key
    assert conflict_rules(operation, coordinator) == ["duty_exceeded"]


def test_a_need_asking_a_language_and_a_travel_time_show_in_the_next_conflicts(coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    here, there = VenueFactory(operation=operation), VenueFactory(operation=operation)
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=here, starts_at=at(26, 8), ends_at=at(26, 12)
    )
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=there, starts_at=at(26, 13), ends_at=at(26, 16)
    )
    assert conflict_rules(operation, coordinator) == []

    VenuePair.objects.create(venue_a=here, venue_b=there, minutes=90)
    assert conflict_rules(operation, coordinator) == ["travel_too_short"]

    VenueNeedFactory(venue=there, specialty=specialty("k9_explosives"), languages=["fr"], quantity=1)
    assert conflict_rules(operation, coordinator) == ["travel_too_short", "language_mismatch"]

"""Coverage is cached per process by data version (core/freshness.py): committed changes show at once."""

import pytest
from django.db import transaction

from core import freshness
from deployments import transitions
from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, VenueFactory, VenueNeedFactory, accepted_line, at

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

"""SPEC §5 and §10: two bulk placements racing on the same capacity never break a rule together.

Each placement locks the line or team on its first day and keeps the lock to its commit: the other
waits, then sees every day the first placed."""

import datetime as dt

import pytest
from django.db.models import Sum

from deployments import bulk
from deployments.models import Assignment
from tests.deployments.test_concurrency import race
from tests.factories import CoordinatorFactory, OperationFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5
DAYS = {
    "from_time": dt.time(8), "to_time": dt.time(20),
    "from_date": dt.date(2024, 7, 26), "to_date": dt.date(2024, 7, 30),
}  # fmt: skip


def placing(coordinator, venue, mode, **source):
    return lambda: bulk.place_on_days(actor=coordinator, venue=venue, role="Race", mode=mode, **source, **DAYS)


def officers_on(line, day):
    live = Assignment.objects.filter(pledge_line=line, starts_at__lt=at(day, 20), ends_at__gt=at(day, 8))
    return live.exclude(status="cancelled").aggregate(n=Sum("quantity"))["n"] or 0


def test_two_bulk_placements_of_one_line_in_mode_all_place_one_and_refuse_the_other_whole():
    first, second = CoordinatorFactory.create_batch(2)
    for round_ in range(ROUNDS):
        line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"race-{round_}"))
        venue = VenueFactory(operation=line.pledge.request.operation)

        results = race(placing(first, venue, "all", pledge_line=line, quantity=6),
                       placing(second, venue, "all", pledge_line=line, quantity=6))  # fmt: skip

        assert sorted(type(r).__name__ for r in results) == ["BulkRefused", "BulkResult"], results
        refused = next(r for r in results if isinstance(r, bulk.BulkRefused))
        assert {r.code for r in refused.refused} == {"capacity_exceeded"}
        assert len(refused.refused) == 5
        assert [officers_on(line, day) for day in range(26, 31)] == [6] * 5


def test_two_bulk_placements_of_one_line_in_mode_fit_never_put_more_officers_on_a_day_than_accepted():
    first, second = CoordinatorFactory.create_batch(2)
    for round_ in range(ROUNDS):
        line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"race-{round_}"))
        venue = VenueFactory(operation=line.pledge.request.operation)
        Assignment.objects.create(
            pledge=line.pledge, pledge_line=line, quantity=3, venue=venue, starts_at=at(28, 9), ends_at=at(28, 10)
        )

        results = race(placing(first, venue, "fit", pledge_line=line, quantity=4),
                       placing(second, venue, "fit", pledge_line=line, quantity=4))  # fmt: skip

        assert all(isinstance(r, bulk.BulkResult) for r in results), results
        assert [officers_on(line, day) for day in range(26, 31)] == [8, 8, 7, 8, 8]
        assert sorted(len(r.refused) for r in results) == [0, 1]


def test_two_bulk_placements_of_one_k9_team_share_no_day():
    first, second = CoordinatorFactory.create_batch(2)
    for round_ in range(ROUNDS):
        team = accepted_team(pledge__request__operation=OperationFactory(code=f"race-{round_}"))
        venue = VenueFactory(operation=team.pledge.request.operation)

        results = race(placing(first, venue, "fit", k9_team=team), placing(second, venue, "fit", k9_team=team))

        assert all(isinstance(r, bulk.BulkResult) for r in results), results
        assert sorted(len(r.placed) for r in results) == [0, 5]
        assert {r.code for result in results for r in result.refused} == {"k9_overlap"}
        assert Assignment.objects.filter(k9_team=team).count() == 5

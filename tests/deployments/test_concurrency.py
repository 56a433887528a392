"""SPEC §5: coordinators acting at the same moment cannot together break a rule.

Each thread has its own database connection and transaction; a barrier releases them
together, and every scenario is played many times to give the race a chance.
"""

import threading
from functools import partial

import pytest
from django.db import connections

from deployments.models import Assignment
from deployments.transitions import create_assignment
from pledges.transitions import withdraw_pledge
from reinforcements.errors import RuleViolation
from tests.factories import (
    CoordinatorFactory,
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20
THREADS = 4


def race(*calls):
    """Run the calls at the same moment, each in its own thread; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_coordinators_placing_officers_of_one_line_at_once_never_exceed_its_capacity():
    coordinators = CoordinatorFactory.create_batch(THREADS)
    for round_ in range(ROUNDS):
        line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"line-race-{round_}"))
        venue = VenueFactory(operation=line.pledge.request.operation)
        place = partial(create_assignment, venue=venue, pledge_line=line, quantity=3, starts_at=at(26, 8))

        results = race(*[partial(place, actor=actor, ends_at=at(26, 16)) for actor in coordinators])

        placed = [r for r in results if isinstance(r, Assignment)]
        refused = [r for r in results if isinstance(r, RuleViolation)]
        assert (len(placed), len(refused)) == (3, 1), results
        assert refused[0].code == "capacity_exceeded"
        assert sum(Assignment.objects.filter(pledge_line=line).values_list("quantity", flat=True)) == 9


def test_coordinators_placing_one_k9_team_at_once_never_overlap():
    coordinators = CoordinatorFactory.create_batch(THREADS)
    for round_ in range(ROUNDS):
        team = accepted_team(pledge__request__operation=OperationFactory(code=f"team-race-{round_}"))
        venue = VenueFactory(operation=team.pledge.request.operation)
        place = partial(create_assignment, venue=venue, k9_team=team)

        results = race(
            *[
                partial(place, actor=actor, starts_at=at(26, 8 + hour), ends_at=at(26, 16 + hour))
                for hour, actor in enumerate(coordinators)
            ]
        )

        placed = [r for r in results if isinstance(r, Assignment)]
        refused = [r for r in results if isinstance(r, RuleViolation)]
        assert (len(placed), len(refused)) == (1, THREADS - 1), results
        assert {r.code for r in refused} == {"k9_overlap"}
        assert Assignment.objects.filter(k9_team=team).count() == 1


def test_a_placement_racing_a_withdrawal_never_leaves_people_of_a_withdrawn_pledge_on_duty():
    coordinator = CoordinatorFactory()
    liaison = LiaisonFactory(country="PL")
    for round_ in range(ROUNDS):
        operation = OperationFactory(code=f"withdraw-race-{round_}")
        line = accepted_line(officers=10, pledge__request__country="PL", pledge__request__operation=operation)
        venue = VenueFactory(operation=operation)

        results = race(
            partial(
                create_assignment, actor=coordinator, venue=venue, pledge_line=line, quantity=2,
                starts_at=at(26, 8), ends_at=at(26, 16),
            ),
            partial(withdraw_pledge, line.pledge_id, actor=liaison, reason="Recalled home."),
        )  # fmt: skip

        assert not any(isinstance(r, Exception) and not isinstance(r, RuleViolation) for r in results), results
        assert not Assignment.objects.filter(pledge_line=line).exclude(status="cancelled").exists()

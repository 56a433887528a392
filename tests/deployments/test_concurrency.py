"""SPEC §5: coordinators acting at the same moment cannot together break a rule.

Each thread has its own database connection and transaction; a barrier releases them
together, and every scenario is played many times to give the race a chance.
"""

import threading
import time
from functools import partial

import psycopg2
import pytest
from django.db import connection, connections

from core.errors import RuleViolation
from deployments.models import Assignment
from deployments.transitions import create_assignment, move_assignment
from pledges.transitions import withdraw_pledge
from tests.factories import (
    CoordinatorFactory,
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)
from tests.trust.dburl import connect_kwargs

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


def _uncommitted_row_of(team, venue, starts_at, ends_at):
    """Another transaction's assignment of the team, inserted and not yet committed: the
    FOR KEY SHARE its deferred foreign-key check takes on the team comes at its COMMIT."""
    other = psycopg2.connect(**connect_kwargs(connection.settings_dict["NAME"]))
    with other.cursor() as cur:
        cur.execute(
            """INSERT INTO deployments_assignment (pledge_id, k9_team_id, venue_id, starts_at, ends_at, role,
                                                   status, status_reason, created_at, updated_at)
               VALUES (%s, %s, %s, %s, %s, 'other', 'planned', '', now(), now())""",
            [team.pledge_id, team.pk, venue.pk, starts_at, ends_at],
        )
    return other


def _start(call):
    """Run `call` in a thread (its own connection); the list gets what it returned or raised."""
    results = [None]

    def run():
        try:
            results[0] = call()
        except Exception as exc:
            results[0] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def _wait_until_blocked(thread):
    for _ in range(500):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cur.fetchone()[0] or not thread.is_alive():
                return
        time.sleep(0.01)


@pytest.mark.parametrize("how", ["place", "move"])
def test_a_placement_or_move_holding_a_k9_team_never_deadlocks_with_an_overlapping_row_committing_meanwhile(how):
    coordinator = CoordinatorFactory()
    team = accepted_team()
    venue = VenueFactory(operation=team.pledge.request.operation)
    if how == "move":
        moved = create_assignment(actor=coordinator, venue=venue, k9_team=team, starts_at=at(27, 8), ends_at=at(27, 12))
        call = partial(move_assignment, moved.pk, actor=coordinator, starts_at=at(26, 10), ends_at=at(26, 14))
    else:
        call = partial(
            create_assignment, actor=coordinator, venue=venue, k9_team=team, starts_at=at(26, 10), ends_at=at(26, 14)
        )
    other = _uncommitted_row_of(team, venue, at(26, 8), at(26, 12))
    try:
        thread, results = _start(call)
        _wait_until_blocked(thread)  # holding the team, waiting on the exclusion constraint for `other`

        other.commit()  # its foreign-key check on the team must not wait for the placement or move
        thread.join(timeout=30)
    finally:
        other.close()

    assert isinstance(results[0], RuleViolation) and results[0].code == "k9_overlap", results
    assert Assignment.objects.filter(k9_team=team, role="other").exists()


def test_a_withdrawal_locks_the_pledges_assignments_but_not_their_venues():
    """Venues are shared by every pledge: two withdrawals locking them could do so in opposite orders."""
    liaison = LiaisonFactory(country="PL")
    line = accepted_line(officers=10, pledge__request__country="PL")
    venue = VenueFactory(operation=line.pledge.request.operation)
    create_assignment(
        actor=CoordinatorFactory(), venue=venue, pledge_line=line, quantity=2, starts_at=at(26, 8), ends_at=at(26, 16)
    )
    other = psycopg2.connect(**connect_kwargs(connection.settings_dict["NAME"]))
    with other.cursor() as cur:  # a coordinator renaming the venue, not committed yet
        cur.execute("UPDATE deployments_venue SET name = name || ' (renamed)' WHERE id = %s", [venue.pk])
    try:
        thread, results = _start(partial(withdraw_pledge, line.pledge_id, actor=liaison, reason="Recalled home."))
        thread.join(timeout=5)
        finished = not thread.is_alive()
    finally:
        other.rollback()
        other.close()
        thread.join(timeout=30)

    assert finished, "the withdrawal waited for the venue"
    assert not isinstance(results[0], Exception), results
    assert not Assignment.objects.filter(pledge_line=line).exclude(status="cancelled").exists()

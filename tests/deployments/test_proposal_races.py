"""SPEC §5 and §10: applying a proposal while a coordinator places officers of the same line by hand. One of
them is refused — the apply as `stale_proposal` (what it relied on changed, or its placement is now
refused), or the manual placement with the capacity rule's 409 — the line never has more officers on duty
than it accepted, and a refused apply leaves nothing half-placed. Both orders are forced (the first holds
its transaction open until the second waits on its lock), then the two are raced freely a few rounds."""

import threading
from functools import partial

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from core.errors import DomainError
from deployments import proposals
from deployments.models import Assignment, Proposal
from deployments.proposals import StaleProposal, apply_proposal, run_proposal
from deployments.transitions import create_assignment, start_proposal
from deployments.what_if import Change, what_if
from tests.deployments.test_concurrency import race
from tests.factories import CoordinatorFactory, OperationFactory, VenueFactory, VenueNeedFactory, accepted_line, at
from tests.notifications.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


def ready_proposal(planner, round_):
    """A line of 10 officers, a need of 10 on the 26th 08–20, and the proposal placing the 10 there."""
    line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"apply-race-{round_}"))
    operation = line.pledge.request.operation
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, quantity=10, starts_at=at(26, 8), ends_at=at(26, 20))
    proposal = start_proposal(actor=planner, operation=operation, expires_at=timezone.now() + proposals.LIFETIME)
    proposal = run_proposal(proposal.pk)
    assert [a["quantity"] for a in proposal.result["assignments"]] == [10]
    return proposal, line, venue


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cur.fetchone()[0] > 0


def first_holding_its_locks(first, second):
    """`first` in a transaction kept open until `second` (in another thread and connection) waits on a lock
    it holds; then `first` commits and `second` goes on. What each returned or raised."""
    results, held, release = [None, None], threading.Event(), threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                results[0] = first()
                held.set()
                release.wait(timeout=30)
        except Exception as exc:
            results[0] = exc
        finally:
            held.set()
            connections.close_all()

    def run_second():
        held.wait(timeout=30)
        try:
            results[1] = second()
        except Exception as exc:
            results[1] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    blocked = wait_until(waiting_on_a_lock, timeout=30)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert blocked, results
    return results


def test_a_manual_placement_waiting_on_an_apply_is_refused_by_the_capacity_rule():
    planner, placer = CoordinatorFactory.create_batch(2)
    proposal, line, venue = ready_proposal(planner, 0)

    applied, placing = first_holding_its_locks(
        partial(apply_proposal, proposal.pk, actor=planner),
        partial(create_assignment, actor=placer, venue=venue, pledge_line=line, quantity=4, starts_at=at(26, 10),
                ends_at=at(26, 14), tell=False),
    )  # fmt: skip

    assert [a.quantity for a in applied] == [10], applied
    assert isinstance(placing, DomainError) and placing.code == "capacity_exceeded", placing
    assert list(Assignment.objects.filter(pledge_line=line).values_list("quantity", flat=True)) == [10]


def test_an_apply_waiting_on_a_manual_placement_is_stale_and_places_nothing():
    planner, placer = CoordinatorFactory.create_batch(2)
    proposal, line, venue = ready_proposal(planner, 0)

    placed, applying = first_holding_its_locks(
        partial(create_assignment, actor=placer, venue=venue, pledge_line=line, quantity=4, starts_at=at(26, 10),
                ends_at=at(26, 14), tell=False),
        partial(apply_proposal, proposal.pk, actor=planner),
    )  # fmt: skip

    assert isinstance(placed, Assignment), placed
    assert isinstance(applying, StaleProposal) and applying.code == "stale_proposal", applying
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.READY
    assert list(Assignment.objects.filter(pledge_line=line).values_list("quantity", flat=True)) == [4]


def test_an_apply_racing_a_manual_placement_on_the_same_line_refuses_one_and_breaks_nothing():
    planner, placer = CoordinatorFactory.create_batch(2)
    outcomes = set()
    for round_ in range(ROUNDS):
        proposal, line, venue = ready_proposal(planner, round_)

        applying, placing = race(
            partial(apply_proposal, proposal.pk, actor=planner),
            partial(create_assignment, actor=placer, venue=venue, pledge_line=line, quantity=4, starts_at=at(26, 10),
                    ends_at=at(26, 14), tell=False),
        )  # fmt: skip

        live = Assignment.objects.filter(pledge_line=line).exclude(status="cancelled")
        proposal.refresh_from_db()
        if isinstance(applying, StaleProposal):
            outcomes.add("apply refused")
            assert isinstance(placing, Assignment), placing
            assert proposal.status == Proposal.Status.READY
            assert list(live.values_list("quantity", "created_by")) == [(4, placer.pk)]
        else:
            outcomes.add("placement refused")
            assert [a.quantity for a in applying] == [10], applying
            assert isinstance(placing, DomainError) and placing.code == "capacity_exceeded", placing
            assert proposal.status == Proposal.Status.APPLIED
            assert list(live.values_list("quantity", "created_by")) == [(10, planner.pk)]
        assert live.filter(starts_at__lt=at(26, 14), ends_at__gt=at(26, 10)).aggregate(n=Sum("quantity"))["n"] <= 10
    assert outcomes  # which one wins is the scheduler's: each round checks the one that happened


def test_two_repairs_of_one_operation_at_once_take_turns_and_write_nothing():
    first, second = CoordinatorFactory.create_batch(2)
    german = accepted_line(officers=20, pledge__request__country="DE")
    operation = german.pledge.request.operation
    polish = accepted_line(officers=20, pledge__request__country="PL", pledge__request__operation=operation)
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, quantity=10, starts_at=at(26, 8), ends_at=at(26, 20))
    create_assignment(actor=first, venue=venue, pledge_line=german, quantity=10, starts_at=at(26, 8),
                      ends_at=at(26, 20), tell=False)  # fmt: skip
    germany_out = [Change("withdraw_country", "DE")]

    answers = race(*[partial(what_if, operation, germany_out, repair=True, actor=actor) for actor in (first, second)])

    for answer in answers:
        assert isinstance(answer, dict), answer
        [[placement]] = [v["assignments"] for c in answer["repair"]["by_country"] for v in c["venues"]]
        assert (placement["source"], placement["quantity"]) == (polish.pk, 10)
    assert list(Assignment.objects.values_list("pledge_line", "status")) == [(german.pk, "planned")]
    german.refresh_from_db()
    assert german.withdrawn_at is None

"""SPEC §5 under concurrency: several processes, each with its own connection, at once.

Threads share one interpreter and would mostly take turns; processes really interleave
their transactions in PostgreSQL, which is what two coordinators' browsers do.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from core.errors import InvalidTransition
from tests.factories import (
    CoordinatorFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
)
from tests.trust.dburl import database_url

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
ATTEMPTS = 200


def _run_at_once(jobs: list[dict]) -> Counter:
    start_at = time.time() + 4  # every process has set Django up by then
    env = {**os.environ, "DATABASE_URL": database_url(), "CONN_MAX_AGE": "0"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.trust.race_worker", json.dumps({**job, "start_at": start_at})],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    total = Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        total.update(json.loads(out.strip().splitlines()[-1]))
    return total


def _one_row(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


@pytest.fixture
def contested():
    """One accepted line of 10 officers and one accepted K9 team, both of PL, and a venue."""
    line = accepted_line(officers=10)
    team = accepted_team(pledge=line.pledge)
    venue = VenueFactory(operation=line.pledge.request.operation)
    return line, team, venue


_K9_OVERLAPS = """
    SELECT count(*) FROM deployments_assignment a JOIN deployments_assignment b
      ON a.k9_team_id = b.k9_team_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
    WHERE a.k9_team_id = %s AND a.status <> 'cancelled' AND b.status <> 'cancelled'
"""
_LINE_PEAK = """
    SELECT coalesce(max((SELECT sum(b.quantity) FROM deployments_assignment b
                         WHERE b.pledge_line_id = a.pledge_line_id AND b.status <> 'cancelled'
                           AND b.starts_at <= a.starts_at AND b.ends_at > a.starts_at)), 0)
    FROM deployments_assignment a WHERE a.pledge_line_id = %s AND a.status <> 'cancelled'
"""
# Live assignments breaking a rule: accepted capacity, ordered times inside the availability
# and the operation, a venue of the same operation, a certification valid to the end.
_OUTSIDE_THE_RULES = """
    SELECT count(*) FROM deployments_assignment a
      JOIN pledges_pledge p ON p.id = a.pledge_id
      JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
      JOIN reinforcements_operation o ON o.id = r.operation_id
      JOIN deployments_venue v ON v.id = a.venue_id
      LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
      LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
    WHERE a.status <> 'cancelled' AND NOT (
          p.status IN ('accepted', 'partially_accepted')
      AND a.starts_at < a.ends_at
      AND v.operation_id = o.id
      AND a.starts_at >= (o.starts_on::timestamp AT TIME ZONE o.timezone)
      AND a.ends_at <= ((o.ends_on + 1)::timestamp AT TIME ZONE o.timezone)
      AND a.starts_at >= (coalesce(l.available_from, t.available_from)::timestamp AT TIME ZONE o.timezone)
      AND a.ends_at <= ((coalesce(l.available_to, t.available_to) + 1)::timestamp AT TIME ZONE o.timezone)
      AND coalesce(l.officers_accepted > 0, t.accepted)
      AND (t.id IS NULL OR a.ends_at <= ((t.certification_expires_on + 1)::timestamp AT TIME ZONE o.timezone)))
"""


def _jobs(kind, contested, attempts=ATTEMPTS):
    line, team, venue = contested
    return [
        {"kind": kind, "seed": n, "attempts": attempts // PROCESSES, "actor": CoordinatorFactory().pk,
         "venue": venue.pk, "line": line.pk, "team": team.pk}
        for n in range(PROCESSES)
    ]  # fmt: skip


def test_two_hundred_simultaneous_placements_from_several_processes_keep_every_spec_rule(contested):
    line, team, _venue = contested

    outcomes = _run_at_once(_jobs("place", contested))

    assert [k for k in outcomes if k.startswith("unexpected")] == [], "no deadlock, nothing but domain refusals"
    assert sum(outcomes.values()) == ATTEMPTS
    # The race was real: both placements and refusals for capacity and overlap happened.
    assert outcomes["line_placed"] and outcomes["team_placed"]
    assert outcomes["refused:capacity_exceeded"] and outcomes["refused:k9_overlap"]
    assert 0 < _one_row(_LINE_PEAK, [line.pk])[0] <= line.officers_accepted
    assert _one_row(_K9_OVERLAPS, [team.pk])[0] == 0
    assert _one_row(_OUTSIDE_THE_RULES)[0] == 0


def test_the_exclusion_constraint_alone_keeps_a_k9_team_in_one_place_against_raw_concurrent_inserts(contested):
    # Past deployments.transitions (no lock, no Python check): what a bug or a manual SQL
    # session would do. PostgreSQL refuses the overlap, or aborts one of two inserts that wait
    # for each other's check; no overlapping pair is ever committed.
    _line, team, _venue = contested

    outcomes = _run_at_once(_jobs("raw", contested, attempts=100))

    assert [k for k in outcomes if k.startswith("unexpected")] == []
    assert outcomes["placed"] and outcomes["refused_by_constraint"]
    assert _one_row(_K9_OVERLAPS, [team.pk])[0] == 0


def test_two_coordinators_deciding_the_same_pledges_at_once_one_wins_each_the_other_gets_409():
    request = RequestFactory()
    pledges = [PledgeFactory(request=request, status="submitted") for _ in range(5)]
    for pledge in pledges:
        PledgeLineFactory(pledge=pledge, officers_offered=3)
    first, second = CoordinatorFactory(username="first"), CoordinatorFactory(username="second")
    jobs = [{"kind": "decide", "pledges": [p.pk for p in pledges], "actor": c.pk} for c in (first, second)]

    outcomes = _run_at_once(jobs)

    assert outcomes == {"decided": len(pledges), "InvalidTransition": len(pledges)}
    for pledge in pledges:
        pledge.refresh_from_db()
        assert pledge.status == "partially_accepted"
        assert pledge.history.filter(history_type="~", status="partially_accepted").count() == 1
        assert pledge.decision_note == f"by {pledge.decided_by.username}"


def test_the_loser_of_a_decision_race_gets_a_409_invalid_transition_from_the_api():
    from core.api.errors import exception_handler

    pledge = PledgeFactory.build(status="accepted")

    response = exception_handler(InvalidTransition(pledge, "decide"), {})

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"

"""The benchmark's SQL on a small seeded operation: the need coverage (MIN on duty over a need's
window) agrees with a plain Python sweep, and every floor query runs and returns JSON."""

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import connection

from bench.floor_app import FLOORS
from bench.sql import NEED_COVERAGE_GLOBAL_SQL, NEED_COVERAGE_SQL
from deployments.models import Assignment, VenueNeed
from reinforcements.models import Operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation():
    call_command("seed_scale", operation="games-sql", countries=6, venues=3, officers=300, k9_teams=30,
                 assignments=1500, needs=40, notifications=100, verbosity=0)  # fmt: skip
    return Operation.objects.get(code="games-sql")


def on_duty_minimum(need, assignments) -> int:
    """The least number on duty at the need's start or at any change inside its window, by brute force."""
    instants = {need.starts_at} | {
        t for a in assignments for t in (a.starts_at, a.ends_at) if need.starts_at < t < need.ends_at
    }
    return min(sum(a.quantity or 1 for a in assignments if a.starts_at <= t < a.ends_at) for t in instants)


def specialty_of(assignment) -> str:
    return assignment.pledge_line.specialty.code if assignment.pledge_line else f"k9_{assignment.k9_team.detection}"


def test_need_coverage_sql_is_the_minimum_on_duty_over_each_window(operation):
    live = Assignment.objects.filter(venue__operation=operation).exclude(status="cancelled")
    by_place = defaultdict(list)
    for a in live.select_related("pledge_line__specialty", "k9_team"):
        by_place[a.venue_id, specialty_of(a)].append(a)
    expected = sorted(
        (n.venue.code, n.specialty.code, n.starts_at, n.quantity, on_duty_minimum(n, by_place[n.venue_id, n.specialty.code]))
        for n in VenueNeed.objects.filter(venue__operation=operation).select_related("venue", "specialty")
    )  # fmt: skip

    with connection.cursor() as cur:
        cur.execute(NEED_COVERAGE_SQL, {"op": operation.pk})
        got = sorted(
            (venue, spec, starts, needed, assigned) for venue, spec, starts, _e, needed, assigned in cur.fetchall()
        )

    assert got == expected
    assert any(row[4] > 0 for row in got) and any(row[4] < row[3] for row in got)


def test_the_one_pass_coverage_gives_the_same_answer(operation):
    with connection.cursor() as cur:
        cur.execute(NEED_COVERAGE_SQL, {"op": operation.pk})
        per_need = sorted((needed, assigned) for *_x, needed, assigned in cur.fetchall())
        cur.execute(NEED_COVERAGE_GLOBAL_SQL, {"op": operation.pk})
        one_pass = sorted((needed, assigned) for _id, needed, assigned in cur.fetchall())

    assert per_need == one_pass


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_every_floor_query_returns_rows_as_json(operation, floor):
    busiest = Assignment.objects.filter(venue__operation=operation).values_list("venue__code", flat=True).first()
    day = dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
    params = {"op": operation.pk, "country": "DE", "venue": busiest, "page_size": 50,
              "day_start": day, "day_end": day + dt.timedelta(days=1)}  # fmt: skip

    with connection.cursor() as cur:
        cur.execute(FLOORS[floor], params)
        (value,) = cur.fetchone()

    assert value

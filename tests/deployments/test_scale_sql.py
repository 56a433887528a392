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


def test_the_write_floor_makes_the_rows_a_placement_makes(operation):
    """bench/floor_write.py stands for `POST /api/v1/assignments/` without the framework: its statements
    write what a placement writes (the assignment, its history, the liaisons' in-app and email rows)."""
    from knox.models import AuthToken

    from bench import floor_write
    from notifications.models import Notification
    from pledges.models import PledgeLine
    from reinforcements.models import User

    key = AuthToken.objects.create(user=User.objects.get(username="games-sql-coordinator-1"))[1]
    line = PledgeLine.objects.filter(pledge__request__operation=operation, officers_accepted__gt=0).first()
    venue = Assignment.objects.filter(venue__operation=operation).values_list("venue_id", flat=True).first()
    liaisons = User.objects.filter(liaison_profile__country=line.pledge.request.country, is_active=True).count()
    body = {"venue": venue, "pledge_line": line.pk, "quantity": 1, "role": "floor",
            "starts_at": "2024-08-01T10:00:00+02:00", "ends_at": "2024-08-01T14:00:00+02:00"}  # fmt: skip

    with connection.cursor() as cur:
        placed = floor_write.place(cur.cursor, key, body)

    assignment = Assignment.objects.get(pk=placed["id"])
    assert (assignment.role, assignment.pledge_line_id, assignment.venue_id) == (floor_write.ROLE, line.pk, venue)
    assert assignment.history.count() == 1
    rows = Notification.objects.filter(object_id=assignment.pk, event="assignment_planned")
    assert liaisons and rows.filter(channel="in_app").count() == rows.filter(channel="email").count() == liaisons
    assert placed["board"]["operation"] == operation.pk and "coordinators" in placed["groups"]

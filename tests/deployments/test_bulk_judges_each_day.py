"""SPEC §10: a bulk placement checks each day in one pass over the source's timeline (deployments.bulk), and
refuses exactly the days, with exactly the messages, that single placements one after another would."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.errors import DomainError
from deployments import bulk, transitions
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2024, 7, 26), dt.date(2024, 8, 2)


def one_by_one(coordinator, venue, from_time, to_time, **source):
    """What single placements, day after day, would place and refuse (then rolled back)."""
    placed, refused = [], []
    with transaction.atomic():
        for day in bulk.days_of(venue.operation, FIRST, LAST):
            starts_at, ends_at = bulk.shift_on(day, from_time, to_time, venue.operation.timezone)
            try:
                transitions.create_assignment(
                    actor=coordinator, venue=venue, starts_at=starts_at, ends_at=ends_at, tell=False, **source
                )
                placed.append(day)
            except DomainError as exc:
                refused.append((day, exc.code, str(exc.message)))
        transaction.set_rollback(True)
    return placed, refused


def in_bulk(coordinator, venue, from_time, to_time, **source):
    result = bulk.place_on_days(
        actor=coordinator, venue=venue, from_time=from_time, to_time=to_time, from_date=FIRST, to_date=LAST,
        mode=bulk.FIT, **source,
    )  # fmt: skip
    return len(result.placed), [(r.date, r.code, r.detail) for r in result.refused]


def test_a_k9_team_on_night_shifts_is_refused_the_days_single_placements_would_be(coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    venue = VenueFactory(operation=operation, latitude=48.92, longitude=2.36)
    far = VenueFactory(operation=operation, latitude=43.27, longitude=5.40)
    # 6 h after the night of the 28th (rest), 11 h before the night of the 29th but 660 km away (travel)
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, venue=far, starts_at=at(29, 9), ends_at=at(29, 10))
    shift = (dt.time(21), dt.time(3))  # crosses midnight: each night ends the next morning

    expected_placed, expected_refused = one_by_one(coordinator, venue, *shift, k9_team=team)
    placed, refused = in_bulk(coordinator, venue, *shift, k9_team=team)

    assert (placed, refused) == (len(expected_placed), expected_refused)
    assert [(day.day, code) for day, code, _detail in refused] == [(28, "rest_too_short"), (29, "travel_too_short")]
    assert team.assignments.count() == 1 + len(expected_placed)


def test_an_officer_line_is_refused_the_days_single_placements_would_be(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, quantity=5, venue=venue, starts_at=at(28, 12), ends_at=at(28, 13))
    AssignmentFactory(pledge_line=line, quantity=6, venue=venue, starts_at=at(30, 0), ends_at=at(30, 6))
    shift = (dt.time(7), dt.time(23))

    expected_placed, expected_refused = one_by_one(coordinator, venue, *shift, pledge_line=line, quantity=6)
    placed, refused = in_bulk(coordinator, venue, *shift, pledge_line=line, quantity=6)

    assert (placed, refused) == (len(expected_placed), expected_refused)
    assert {code for _day, code, _detail in refused} == {"capacity_exceeded", "duty_exceeded"}
    assert line.assignments.count() == 2 + len(expected_placed)


def test_a_bulk_placement_records_who_planned_each_day(coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)

    result = in_bulk_days(coordinator, venue, 3, pledge_line=line, quantity=2)

    histories = [a.history.get() for a in result.placed]
    assert [(h.history_type, h.history_user, h.quantity) for h in histories] == [("+", coordinator, 2)] * 3
    assert all(a.created_by == coordinator for a in result.placed)


def test_a_bulk_placement_costs_the_same_queries_for_3_days_as_for_25(coordinator):
    def queries(days):
        line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"bulk-{days}"))
        venue = VenueFactory(operation=line.pledge.request.operation)
        with CaptureQueriesContext(connection) as ctx:
            result = in_bulk_days(coordinator, venue, days, pledge_line=line, quantity=2)
        assert len(result.placed) == days
        return len(ctx.captured_queries)

    queries(1)  # what is read once per process (content types)
    # savepoint · pledge FOR SHARE · line FOR NO KEY UPDATE · its timeline over the range · the venue's needs
    # over the range · INSERT assignments · INSERT their history · enabled webhooks · the country's liaisons
    # (none here: no message) · release. Before: about 14 queries and a savepoint per day.
    assert queries(3) == queries(25) == 10


def in_bulk_days(coordinator, venue, days, **source):
    return bulk.place_on_days(
        actor=coordinator, venue=venue, from_time=dt.time(8), to_time=dt.time(12), from_date=FIRST,
        to_date=FIRST + dt.timedelta(days=days - 1), mode=bulk.ALL, **source,
    )  # fmt: skip

"""The operations board (staff/board.py) and its events (staff/live.py): the page, the polling
fallback, and what is published to Redis when a change commits."""

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import freshness
from deployments.models import Assignment
from staff import live
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, VenueNeedFactory, accepted_line, at

DEMO_NOW = "2024-07-26T09:00:00+02:00"


@pytest.fixture(autouse=True)
def _own_events(settings):
    """Each test publishes under a key prefix of its own: no test reads another's events."""
    settings.CELERY_INSTANCE = f"test-board-{uuid.uuid4().hex}"
    settings.DEMO_NOW = DEMO_NOW


def published(operation) -> list[dict]:
    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    return [json.loads(fields["event"]) for _id, fields in r.xrange(live.stream_key(operation.pk))]


def test_the_board_shows_venues_with_a_gap_before_covered_ones(client, viewer):
    operation = OperationFactory()
    covered = VenueFactory(operation=operation, code="a-covered", name="Arena")
    short = VenueFactory(operation=operation, code="z-short", name="Zénith")
    VenueNeedFactory(venue=covered, quantity=2)
    VenueNeedFactory(venue=short, quantity=6)
    line = accepted_line(pledge__request__operation=operation)
    AssignmentFactory(venue=covered, pledge_line=line, quantity=2, starts_at=at(26, 8), ends_at=at(26, 20))
    client.force_login(viewer)

    response = client.get(reverse("board", args=[operation.code]))

    assert response.status_code == 200
    assert [row["venue"].code for row in response.context["venues"]] == ["z-short", "a-covered"]
    assert response.context["venues"][0]["short"] == 6
    assert response.context["gap_count"] == 1


def test_the_board_lists_planned_assignments_starting_within_its_hours(client, coordinator):
    operation = OperationFactory()
    line = accepted_line(pledge__request__operation=operation)
    soon = AssignmentFactory(pledge_line=line, starts_at=at(26, 12), ends_at=at(26, 16))
    AssignmentFactory(pledge_line=line, starts_at=at(27, 12), ends_at=at(27, 16))  # tomorrow: not on the board
    AssignmentFactory(pledge_line=line, starts_at=at(26, 13), ends_at=at(26, 16), status="confirmed")
    client.force_login(coordinator)

    response = client.get(reverse("board", args=[operation.code]))

    assert response.context["unconfirmed"] == [soon]
    assert response.context["unconfirmed_count"] == 1


def test_the_board_titles_its_sections_in_both_languages(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)

    text = client.get(reverse("board", args=[operation.code])).content.decode()

    assert "Operations board" in text
    assert "Tableau des opérations" in text


def test_a_liaison_gets_404_for_the_board(client, liaison_pl):
    operation = OperationFactory()
    client.force_login(liaison_pl)

    response = client.get(reverse("board", args=[operation.code]))

    assert response.status_code == 404


def test_polling_with_the_current_data_version_answers_204(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)

    response = client.get(reverse("board", args=[operation.code]), {"version": freshness.current_version()})

    assert response.status_code == 204


@pytest.mark.django_db(transaction=True)
def test_polling_with_an_older_data_version_answers_the_live_part_with_the_new_version(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)
    version = freshness.current_version()
    VenueNeedFactory(venue__operation=operation)

    response = client.get(reverse("board", args=[operation.code]), {"version": version})

    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="board-live"')
    assert f'data-version="{freshness.current_version()}"' in text
    assert freshness.current_version() != version


def test_the_stream_under_a_wsgi_server_answers_204_so_the_board_polls(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)

    response = client.get(reverse("board_events", args=[operation.code]))

    assert response.status_code == 204


@pytest.mark.django_db(transaction=True)
def test_a_committed_assignment_is_published_to_its_operations_stream_once():
    operation = OperationFactory()
    line = accepted_line(pledge__request__operation=operation)
    venue = VenueFactory(operation=operation, code="seine-1")

    with transaction.atomic():
        assignment = AssignmentFactory(pledge_line=line, venue=venue)
        assignment.role = "Gate B"
        assignment.save()

    events = [e for e in published(operation) if e["kind"] == "assignment"]
    assert events == [{
        "kind": "assignment", "pk": assignment.pk, "action": "created", "status": "planned",
        "operation": operation.pk, "venue": "seine-1", "at": events[0]["at"],
    }]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_publishes_nothing():
    operation = OperationFactory()
    line = accepted_line(pledge__request__operation=operation)
    venue = VenueFactory(operation=operation)
    before = len(published(operation))

    with pytest.raises(RuntimeError), transaction.atomic():
        AssignmentFactory(pledge_line=line, venue=venue)
        raise RuntimeError("changed my mind")

    assert len(published(operation)) == before
    assert not Assignment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_needs_pledges_and_requests_are_published_too():
    operation = OperationFactory()
    need = VenueNeedFactory(venue__operation=operation)
    line = accepted_line(pledge__request__operation=operation, pledge__request__country="DE")

    kinds = {(e["kind"], e["pk"]) for e in published(operation)}

    assert {("need", need.pk), ("pledge", line.pledge.pk), ("request", line.pledge.request.pk)} <= kinds


@pytest.mark.django_db(transaction=True)
def test_a_commit_is_told_on_the_operations_channel_with_its_stream_id():
    operation = OperationFactory()
    line = accepted_line(pledge__request__operation=operation)
    venue = VenueFactory(operation=operation)
    pubsub = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(live.channel(operation.pk))
    pubsub.get_message(timeout=1)

    assignment = AssignmentFactory(pledge_line=line, venue=venue)

    message = pubsub.get_message(timeout=2)
    event = json.loads(message["data"])
    assert (event["kind"], event["pk"]) == ("assignment", assignment.pk)
    assert live.id_key(event["id"]) > (0, 0)
    pubsub.close()


@pytest.mark.django_db(transaction=True)
def test_the_board_feed_shows_the_latest_change_first(client, viewer):
    operation = OperationFactory()
    line = accepted_line(pledge__request__operation=operation)
    venue = VenueFactory(operation=operation, code="seine-1")
    first = AssignmentFactory(pledge_line=line, venue=venue)
    second = AssignmentFactory(pledge_line=line, venue=venue, starts_at=at(26, 17), ends_at=at(26, 20))
    client.force_login(viewer)

    feed = client.get(reverse("board", args=[operation.code])).context["feed"]

    assert [e["pk"] for e in feed if e["kind"] == "assignment"][:2] == [second.pk, first.pk]
    assert feed[0]["text"] == f"Assignment #{second.pk} created · seine-1 · Planned"


def test_checking_in_from_the_board_starts_the_assignment_and_goes_back_to_the_board(client, coordinator):
    operation = OperationFactory()
    assignment = AssignmentFactory(pledge_line=accepted_line(pledge__request__operation=operation))
    client.force_login(coordinator)
    board = reverse("board", args=[operation.code])

    response = client.post(reverse("assignment_start", args=[assignment.pk]), {"next": board})

    assert response.status_code == 302 and response.url == board
    assignment.refresh_from_db()
    assert assignment.status == "active"


def test_the_board_offers_check_in_and_no_show_to_a_coordinator_only(client, coordinator, viewer):
    operation = OperationFactory()
    assignment = AssignmentFactory(
        pledge_line=accepted_line(pledge__request__operation=operation), starts_at=at(26, 10), ends_at=at(26, 14)
    )
    start, no_show = (
        reverse("assignment_start", args=[assignment.pk]),
        reverse("assignment_no_show", args=[assignment.pk]),
    )

    client.force_login(coordinator)
    as_coordinator = client.get(reverse("board", args=[operation.code])).content.decode()
    client.force_login(viewer)
    as_viewer = client.get(reverse("board", args=[operation.code])).content.decode()

    assert start in as_coordinator and no_show in as_coordinator
    assert start not in as_viewer and no_show not in as_viewer


def test_a_shift_not_yet_begun_offers_check_in_but_no_no_show_on_the_board_and_the_planner(
    client, coordinator, settings
):
    settings.DEMO_NOW = ""  # the real clock, which record_no_show judges by
    operation = OperationFactory(starts_on=dt.date.today(), ends_on=dt.date.today() + dt.timedelta(days=3))
    starts_at = timezone.now() + dt.timedelta(hours=1)
    assignment = AssignmentFactory(
        pledge_line=accepted_line(pledge__request__operation=operation),
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=4),
    )  # fmt: skip
    start, no_show = (
        reverse("assignment_start", args=[assignment.pk]),
        reverse("assignment_no_show", args=[assignment.pk]),
    )
    client.force_login(coordinator)

    board = client.get(reverse("board", args=[operation.code])).content.decode()
    planner = client.get(
        reverse("planner", args=[operation.code]),
        {"venue": assignment.venue.code, "day": timezone.localdate(starts_at, ZoneInfo(operation.timezone))},
    ).content.decode()

    assert start in board and no_show not in board
    assert start in planner and no_show not in planner


def test_recording_a_no_show_from_the_planner_cancels_with_its_reason(client, coordinator):
    assignment = AssignmentFactory()
    client.force_login(coordinator)

    response = client.post(reverse("assignment_no_show", args=[assignment.pk]))

    assert response.status_code == 302 and "/planner/" in response.url
    assignment.refresh_from_db()
    assert assignment.status == "cancelled" and assignment.status_reason.startswith("No-show")


def test_completing_an_active_assignment_from_the_planner(client, coordinator):
    assignment = AssignmentFactory(status="active")
    client.force_login(coordinator)

    client.post(reverse("assignment_complete", args=[assignment.pk]))

    assignment.refresh_from_db()
    assert assignment.status == "completed"


def test_an_on_the_day_move_refuses_to_go_back_elsewhere_than_this_site(client, coordinator):
    assignment = AssignmentFactory()
    client.force_login(coordinator)

    response = client.post(reverse("assignment_start", args=[assignment.pk]), {"next": "https://evil.test/"})

    assert "/planner/" in response.url


def test_a_viewer_cannot_check_in_an_assignment(client, viewer):
    assignment = AssignmentFactory()
    client.force_login(viewer)

    response = client.post(reverse("assignment_start", args=[assignment.pk]))

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.status == "planned"


def test_a_liaison_gets_404_for_an_on_the_day_move(client, liaison_pl):
    assignment = AssignmentFactory(pledge_line__pledge__request__country="PL")
    client.force_login(liaison_pl)

    response = client.post(reverse("assignment_start", args=[assignment.pk]))

    assert response.status_code == 404

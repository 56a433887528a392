"""The board's event stream (staff/board.py `events`) served as in production, by uvicorn in its own
process: events within 2 s of a commit, catch-up after a reconnect, heartbeats, CORS, refusals."""

import json
import time
import uuid

import httpx
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse

from staff import live
from tests.asgi_server import uvicorn
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, accepted_line, at

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "http://127.0.0.1:8123"


PREFIX = f"test-stream-{uuid.uuid4().hex}"  # this module's Redis keys, in the tests and the server
# The server's database sessions carry this name (libpq reads PGAPPNAME): other processes of the run
# (a Celery worker, a live server) may hold connections to the test database too.
APP_NAME = f"sse-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def sse_url(django_db_setup):
    """One server for the module (it takes seconds to start); each test has operations of its own."""
    # CONN_MAX_AGE=0: a finished request leaves no connection behind, so an open stream's would show.
    with uvicorn(
        SITE_URL=SITE, LIVE_HEARTBEAT_SECONDS="0.5", CELERY_INSTANCE=PREFIX, CONN_MAX_AGE="0", PGAPPNAME=APP_NAME
    ) as url:
        yield url


@pytest.fixture
def sse_server(settings, sse_url):
    settings.CELERY_INSTANCE = PREFIX
    return sse_url


@pytest.fixture
def world():
    operation = OperationFactory()
    return {
        "operation": operation,
        "line": accepted_line(pledge__request__operation=operation),
        "venue": VenueFactory(operation=operation, code="seine-1"),
    }


def session_of(client, user) -> dict:
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class Reader:
    """The SSE frames of an open response, read with a deadline: never a hung test."""

    def __init__(self, response):
        self.lines = response.iter_lines()

    def frames(self, seconds: float):
        deadline, frame = time.monotonic() + seconds, {}
        for line in self.lines:
            if line == "":
                if frame:
                    yield frame
                frame = {}
            elif line.startswith(":"):
                yield {"comment": line[1:].strip()}
            else:
                field, _sep, value = line.partition(":")
                frame[field] = value.lstrip(" ")
            if time.monotonic() > deadline:
                return

    def next_change(self, seconds: float = 2.0) -> dict | None:
        for frame in self.frames(seconds):
            if frame.get("event") == "change":
                return frame
        return None


def open_stream(url, operation, cookies, **headers):
    client = httpx.Client(base_url=url, cookies=cookies, timeout=httpx.Timeout(5.0, read=3.0))
    return client, client.stream("GET", reverse("board_events", args=[operation.code]), headers=headers)


def test_a_committed_assignment_reaches_an_open_stream_within_two_seconds(client, coordinator, sse_server, world):
    http, stream = open_stream(sse_server, world["operation"], session_of(client, coordinator))
    with http, stream as response:
        reader = Reader(response)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert next(reader.frames(2)) == {"retry": "1000"}
        started = time.monotonic()

        assignment = AssignmentFactory(pledge_line=world["line"], venue=world["venue"])

        frame = reader.next_change()
        assert frame is not None and time.monotonic() - started < 2
        event = json.loads(frame["data"])
        assert (event["kind"], event["pk"], event["action"]) == ("assignment", assignment.pk, "created")
        assert frame["id"]


def test_a_reconnecting_board_is_sent_what_it_missed_after_its_last_event_id(client, viewer, sse_server, world):
    line, venue = world["line"], world["venue"]
    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer))
    with http, stream as response:
        reader = Reader(response)
        AssignmentFactory(pledge_line=line, venue=venue)
        last_id = reader.next_change()["id"]
    missed = [
        AssignmentFactory(pledge_line=line, venue=venue, starts_at=at(26, h), ends_at=at(26, h + 1)) for h in (17, 18)
    ]

    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer), **{"Last-Event-ID": last_id})
    with http, stream as response:
        reader = Reader(response)
        caught_up = [json.loads(reader.next_change()["data"])["pk"] for _ in range(2)]

    assert caught_up == [m.pk for m in missed]


def test_an_open_stream_holds_no_database_connection(client, viewer, sse_server, world):
    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer))
    with http, stream as response:
        next(Reader(response).frames(2))
        deadline, others = time.monotonic() + 3, None
        while others != 0 and time.monotonic() < deadline:
            others = other_connections()
            time.sleep(0.1)

    assert others == 0


def other_connections() -> int:
    """The stream server's open database sessions."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        return cur.fetchone()[0]


def test_an_idle_stream_sends_heartbeat_comments(client, viewer, sse_server, world):
    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer))
    with http, stream as response:
        comments = [f["comment"] for f in Reader(response).frames(2) if "comment" in f]

    assert "heartbeat" in comments


def test_the_stream_allows_the_sites_origin_with_credentials(client, viewer, sse_server, world):
    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer), Origin=SITE)
    with http, stream as response:
        headers = response.headers

    assert headers["access-control-allow-origin"] == SITE
    assert headers["access-control-allow-credentials"] == "true"


def test_the_stream_allows_no_other_origin(client, viewer, sse_server, world):
    http, stream = open_stream(sse_server, world["operation"], session_of(client, viewer), Origin="https://evil.test")
    with http, stream as response:
        headers = response.headers

    assert "access-control-allow-origin" not in headers


def test_a_liaison_gets_404_for_the_stream(client, liaison_pl, sse_server, world):
    with httpx.Client(base_url=sse_server, cookies=session_of(client, liaison_pl), timeout=5) as http:
        response = http.get(reverse("board_events", args=[world["operation"].code]))

    assert response.status_code == 404


def test_an_anonymous_visitor_gets_404_for_the_stream(sse_server, world):
    with httpx.Client(base_url=sse_server, timeout=5) as http:
        response = http.get(reverse("board_events", args=[world["operation"].code]))

    assert response.status_code == 404


def test_events_published_out_of_order_by_two_processes_all_reach_the_board(client, viewer, sse_server, world):
    operation = world["operation"]
    channel = redis.Redis.from_url(settings.REDIS_URL)
    http, stream = open_stream(sse_server, operation, session_of(client, viewer))
    with http, stream as response:
        reader = Reader(response)
        next(reader.frames(2))

        # One process's XADD got the later id but published first.
        for event_id, pk in (("9000000000000-1", 2), ("9000000000000-0", 1)):
            channel.publish(live.channel(operation.pk), json.dumps({"id": event_id, "kind": "need", "pk": pk}))

        received = [json.loads(reader.next_change()["data"])["pk"] for _ in range(2)]
    assert received == [2, 1]


def test_a_stream_ends_in_time_and_its_reconnect_is_authorised_anew(client, viewer, world):
    """The user is checked when a stream opens: it ends after LIVE_STREAM_SECONDS (here 1.5), and a user
    deactivated meanwhile gets a 404 on reconnecting instead of more events."""
    cookies = session_of(client, viewer)
    with uvicorn(LIVE_STREAM_SECONDS="1.5", LIVE_HEARTBEAT_SECONDS="0.5", CELERY_INSTANCE=PREFIX) as url:
        http, stream = open_stream(url, world["operation"], cookies)
        with http, stream as response:
            frames = list(Reader(response).frames(20))
            ended = response.is_closed  # read to its end: the server closed it (the deadline would leave it open)

        viewer.is_active = False
        viewer.save(update_fields=["is_active"])
        with httpx.Client(base_url=url, cookies=cookies, timeout=5) as http:
            again = http.get(reverse("board_events", args=[world["operation"].code]))

    assert ended and {"comment": "heartbeat"} in frames
    assert again.status_code == 404

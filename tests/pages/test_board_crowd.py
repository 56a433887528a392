"""A room of boards opening their streams at once (config/asgi.py, OpeningLimit): every one is served,
and the ASGI process never holds more database connections than LIVE_OPENING_CONCURRENCY while they
open (each request's sync part has a thread and a connection of its own until its response starts)."""

import asyncio
import threading
import time
import uuid

import httpx
import pytest
from django.db import connection
from django.urls import reverse

from config.asgi import OpeningLimit
from tests.asgi_server import uvicorn
from tests.factories import OperationFactory

pytestmark = pytest.mark.django_db(transaction=True)

APP_NAME = f"sse-crowd-{uuid.uuid4().hex[:12]}"


def run_apart(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop running in
    the main thread, where asyncio.run refuses to start another."""
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def server_connections() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        return cur.fetchone()[0]


async def open_streams(url, path, cookies, n) -> list[int]:
    """n streams opened together; each read up to its first frame, then all closed together."""
    async with httpx.AsyncClient(
        base_url=url, cookies=cookies, timeout=30, limits=httpx.Limits(max_connections=n)
    ) as http:

        async def one(opened: asyncio.Event):
            async with http.stream("GET", path) as response:
                if response.status_code == 200:
                    async for line in response.aiter_lines():
                        if line.startswith("retry"):
                            break
                opened.set()
                await done.wait()
                return response.status_code

        done, events = asyncio.Event(), [asyncio.Event() for _ in range(n)]
        tasks = [asyncio.create_task(one(e)) for e in events]
        await asyncio.gather(*(e.wait() for e in events))
        done.set()
        return await asyncio.gather(*tasks)


def test_forty_boards_opening_at_once_are_all_served_within_the_connection_limit(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)
    cookies = {k: v.value for k, v in client.cookies.items()}
    peak, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], server_connections())
            time.sleep(0.005)
        connection.close()

    # CONN_MAX_AGE=0: a request's connection closes when it is done with it, as a stream's does.
    with uvicorn(LIVE_OPENING_CONCURRENCY="2", CONN_MAX_AGE="0", PGAPPNAME=APP_NAME) as url:
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            statuses = run_apart(open_streams(url, reverse("board_events", args=[operation.code]), cookies, 40))
        finally:
            stop.set()
            watcher.join()

    assert statuses == [200] * 40
    # Two places, each with at most the session it just closed, which pg_stat_activity lists until its
    # backend has exited. Unbounded, 40 boards held 10 to 21 at once on the 2-core machine.
    assert 1 <= peak[0] <= 2 * 2


def test_the_limit_holds_requests_until_the_first_body_bytes_and_frees_a_place_on_an_error():
    inside, most, gates = [0], [0], [asyncio.Event() for _ in range(5)]

    async def app(scope, receive, send):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        await gates[scope["n"]].wait()
        inside[0] -= 1
        if scope["n"] == 0:
            raise RuntimeError("the app failed before its response")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"retry: 1000\n\n", "more_body": True})
        await asyncio.sleep(3600)  # an open stream: it holds no place

    async def noop(_message):
        pass

    async def scenario():
        limited = OpeningLimit(app, 2)
        calls = [asyncio.create_task(limited({"type": "http", "n": n}, None, noop)) for n in range(5)]
        await asyncio.sleep(0.05)
        assert (inside[0], most[0]) == (2, 2)
        for gate in gates:  # each opening lets the next request in
            gate.set()
            await asyncio.sleep(0.01)
        assert inside[0] == 0 and most[0] == 2
        assert calls[0].done() and isinstance(calls[0].exception(), RuntimeError)
        assert all(not c.done() for c in calls[1:])  # four streams open at once, past the limit of two
        for call in calls[1:]:
            call.cancel()

    run_apart(scenario())

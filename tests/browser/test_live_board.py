"""The operations board on a wall screen (SPEC §12): a placement made on the planner shows on an open
board within 2 s, pushed by the event stream (uvicorn, as `make run` serves it), with no reload."""

import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from deployments.models import Assignment
from tests.asgi_server import uvicorn
from tests.browser.conftest import axe_walk, log_in
from tests.factories import (
    OperationFactory,
    RequestFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def events_url(settings, live_server):
    """The stream's own server, as under `make run`: the page (live_server) is told where by EVENTS_URL."""
    settings.CELERY_INSTANCE = f"test-live-board-{uuid.uuid4().hex}"
    settings.DEMO_NOW = "2024-07-26T09:00:00+02:00"
    with uvicorn(SITE_URL=live_server.url) as url:
        # The page's host name (the session cookie's), on the stream's port: cookies ignore ports.
        url = url.replace("127.0.0.1", urlsplit(live_server.url).hostname)
        settings.EVENTS_URL = url
        settings.SECURE_CSP = {**django_settings.SECURE_CSP, "connect-src": ["'self'", url]}
        yield url


@pytest.fixture
def context(browser, live_server, events_url):
    """A browser context whose pages may reach the app and its stream, and nothing else."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    context.outside_requests, context.console_errors = [], []
    allowed = (live_server.url, events_url, "data:", "blob:")
    context.on("request", lambda r: None if r.url.startswith(allowed) else context.outside_requests.append(r.url))
    context.on("console", lambda m: context.console_errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: context.console_errors.append(str(e.error)))
    yield context
    context.close()
    assert context.outside_requests == [], "a page asked a host other than the app and its stream"
    assert context.console_errors == [], "the browser console logged errors"


def test_a_placement_on_the_planner_shows_on_the_open_board_within_two_seconds_without_reload(
    context, live_server, coordinator
):
    operation = OperationFactory()
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine · Pont d'Iéna", kind="river_segment")
    VenueNeedFactory(venue=seine, specialty=specialty("k9_explosives"), quantity=1, starts_at=at(26, 10),
                     ends_at=at(26, 14))  # fmt: skip
    team = accepted_team(pledge__request=RequestFactory(operation=operation, country="PL"), dog_name="Bruno")
    board, planner = context.new_page(), context.new_page()
    board.base_url = live_server.url
    log_in(board, coordinator)
    board.set_viewport_size({"width": 1920, "height": 1080})
    board.goto("/ops/paris-2024/board/")
    expect(board.locator("#board")).to_have_attribute("data-stream", "open")
    expect(board.locator(".board-venue.is-short")).to_contain_text("0 / 1")
    board.evaluate("window.__marker = 1")

    planner.goto("/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26")
    planner.select_option("#id_source", f"team:{team.pk}")
    planner.fill("#id_starts_at", "2024-07-26T10:00")
    planner.fill("#id_ends_at", "2024-07-26T14:00")
    planner.click("text=Plan the assignment")
    expect(planner.locator(".messages")).to_contain_text("Assignment planned")
    placed = time.monotonic()

    assignment = Assignment.objects.get(k9_team=team)
    expect(board.locator(".board-feed")).to_contain_text(f"Assignment #{assignment.pk} created", timeout=2000)
    assert time.monotonic() - placed < 2
    expect(board.locator(".board-venue").first).to_contain_text("1 / 1")
    assert board.locator(".board-venue.is-short").count() == 0
    assert board.evaluate("window.__marker") == 1, "the board was reloaded"
    assert axe_walk(context.browser, live_server, [board.url], context.cookies()) == []

"""The operations board (SPEC §12): a wall screen of coverage now and for the next hours, gaps first;
who starts soon still unconfirmed; what just changed. Staff only (a liaison gets 404).

Three views:
- `board`: the page, or only its live part for htmx and for `?version=N` (the polling fallback, 204 when
  the data version, core.freshness, is still N);
- `events`: the Server-Sent Events stream (async, served by uvicorn, see staff/live.py): one `change`
  event per committed change, the events missed since `Last-Event-ID` first, a comment every
  LIVE_HEARTBEAT_SECONDS so proxies keep the line open; it ends after LIVE_STREAM_SECONDS and the
  browser reconnects, authorised anew.
"""

import asyncio
import datetime as dt
import json
import random
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import freshness
from core.countries import country_label
from core.pages import page, staff_page
from core.roles import is_staff_reader
from deployments.clock import reference_instant
from deployments.models import Assignment, Venue
from deployments.queries import coverage_grid
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest, Specialty
from reinforcements.queries import operation_of, visible_operations
from staff import live

VENUES_SHOWN = 24
UNCONFIRMED_SHOWN = 12


@staff_page
def board(request, op):
    operation = operation_of(request, op)
    version = freshness.current_version()
    polled = request.GET.get("version")
    if polled is not None and polled == str(version):
        return HttpResponse(status=204)
    context = {"operation": operation, "section": "board", "version": version, **board_data(operation)}
    context["events_url"] = settings.EVENTS_URL + reverse("board_events", args=[operation.code])
    context["poll_seconds"] = settings.LIVE_POLL_SECONDS
    context["htmx_partial"] = "live"
    # Headings in both languages: the operations room reads French and English.
    context["other_language"] = "en" if (get_language() or "").startswith("fr") else "fr"
    if polled is not None:
        return page(request, "staff/board.html#live", context)
    return page(request, "staff/board.html", context)


def board_data(operation) -> dict:
    """What the board shows, from the project's "now" (deployments/clock.py): the needs meeting the next
    BOARD_HOURS per venue, with their cover (deployments.queries, the one definition of coverage), venues
    with a gap first, the biggest shortfall first; the planned assignments starting in that window."""
    reference = reference_instant(operation)
    now = reference.instant
    # Whole minutes: the coverage cache (core.freshness) is keyed by the window.
    start = now.replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=settings.BOARD_HOURS)
    needs = coverage_grid(operation.pk, starts=start, ends=end)
    venues = Venue.objects.in_bulk({n["venue_id"] for n in needs})
    specialties = Specialty.objects.in_bulk({n["specialty_id"] for n in needs})
    by_venue = {}
    for need in needs:
        row = by_venue.setdefault(need["venue_id"], {"venue": venues[need["venue_id"]], "needs": [], "short": 0})
        short = max(need["quantity"] - need["assigned"], 0)
        row["short"] += short
        row["needs"].append({
            **need, "specialty": specialties[need["specialty_id"]], "short": short,
            "now": need["starts_at"] <= now < need["ends_at"],
        })  # fmt: skip
    for row in by_venue.values():
        row["needs"].sort(key=lambda n: (not n["short"], n["starts_at"], n["specialty"].code))
    rows = sorted(by_venue.values(), key=lambda r: (-r["short"], r["venue"].code))
    unconfirmed = Assignment.objects.filter(
        venue__operation=operation, status=Assignment.Status.PLANNED, starts_at__gte=now, starts_at__lt=end
    )
    who = unconfirmed.select_related("venue", "pledge__request", "pledge_line__specialty", "k9_team")
    return {
        "now": now, "until": end, "clock_note": reference.note,
        "venues": rows[:VENUES_SHOWN], "more_venues": max(len(rows) - VENUES_SHOWN, 0),
        "gap_count": sum(1 for r in rows for n in r["needs"] if n["short"]),
        "unconfirmed": list(who.order_by("starts_at", "id")[:UNCONFIRMED_SHOWN]),
        "unconfirmed_count": unconfirmed.count(),
        "feed": [{**event, "text": _feed_text(event)} for event in live.recent(operation.pk)],
    }  # fmt: skip


def _feed_text(event) -> str:
    """One line of the feed, in the page's language: what, which, where, and its status now."""
    texts = {
        ("assignment", "created"): _("Assignment #%(pk)s created"),
        ("assignment", "changed"): _("Assignment #%(pk)s changed"),
        ("assignment", "deleted"): _("Assignment #%(pk)s deleted"),
        ("need", "created"): _("Need #%(pk)s created"),
        ("need", "changed"): _("Need #%(pk)s changed"),
        ("need", "deleted"): _("Need #%(pk)s deleted"),
        ("pledge", "created"): _("Pledge #%(pk)s created"),
        ("pledge", "changed"): _("Pledge #%(pk)s changed"),
        ("pledge", "deleted"): _("Pledge #%(pk)s deleted"),
        ("request", "created"): _("Request #%(pk)s created"),
        ("request", "changed"): _("Request #%(pk)s changed"),
        ("request", "deleted"): _("Request #%(pk)s deleted"),
    }
    statuses = {"assignment": Assignment.Status, "pledge": Pledge.Status, "request": ReinforcementRequest.Status}
    text = texts.get((event["kind"], event["action"]))
    if text is None:
        return ""
    parts = [text % {"pk": event["pk"]}]
    parts.append(event.get("venue") or (country_label(event["country"]) if event.get("country") else ""))
    status = statuses.get(event["kind"])
    if status is not None and event.get("status") in status.values and event["action"] != "deleted":
        parts.append(str(status(event["status"]).label))
    return " · ".join(p for p in parts if p)


# ---- the stream ---------------------------------------------------------------------------------------


def _allowed_origin(request) -> str | None:
    """SITE_URL's origin, when the page comes from there and the stream from elsewhere (EVENTS_URL)."""
    site = urlsplit(settings.SITE_URL)
    origin = f"{site.scheme}://{site.netloc}" if site.netloc else ""
    return origin if origin and request.headers.get("Origin") == origin else None


def _operation_for(user, code):
    if not is_staff_reader(user):
        return None
    return visible_operations(user).filter(code=code).values_list("pk", flat=True).first()


async def events(request, op):
    """The board's event stream. A liaison, a stranger or an unknown operation: 404, as for the board."""
    if not isinstance(request, ASGIRequest):
        # Under gunicorn (WSGI) a stream would hold a worker for ever: 204 tells EventSource to stop,
        # and the board falls back to polling. The ASGI process (uvicorn) serves the stream.
        return HttpResponse(status=204)
    user = await request.auser()
    if not user.is_authenticated:
        raise Http404
    operation_id = await sync_to_async(_operation_for)(user, op)
    if operation_id is None:
        raise Http404
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    response = StreamingHttpResponse(_stream(operation_id, last_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event at once
    origin = _allowed_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Vary"] = "Origin"
    return response


def _frame(event_id: str, event: dict) -> str:
    return f"id: {event_id}\nevent: change\ndata: {json.dumps(event)}\n\n"


async def _stream(operation_id: int, last_id: str):
    """Subscribe first, then send what was missed after `last_id` from the stream, then what the channel
    brings, skipping what the catch-up already sent: no event is lost between the two, none sent twice."""
    client = aioredis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, decode_responses=True, health_check_interval=30
    )
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    # The database is done with (the user, the operation): give its connection back now, not when the
    # stream ends, hours later; a room of screens must not hold PostgreSQL's connections. The request's
    # sync work ran in its own thread, where this runs too (ASGI's thread-sensitive context).
    await sync_to_async(connections.close_all)()
    try:
        await pubsub.subscribe(live.channel(operation_id))
        # The browser waits this long before reconnecting; the first bytes also open the response.
        yield "retry: 1000\n\n"
        # Skipped from the channel: what the board had (up to its last id) and what the catch-up sent too.
        # Ids come in order (staff/live.py publishes atomically): nothing older than `seen` arrives later.
        seen, caught_up = live.id_key(last_id), set()
        if seen > (0, 0):
            missed = await client.xrange(live.stream_key(operation_id), min=f"({seen[0]}-{seen[1]}")
            for event_id, fields in missed:
                caught_up.add(event_id)
                yield _frame(event_id, json.loads(fields["event"]))
        heartbeat = settings.LIVE_HEARTBEAT_SECONDS
        loop = asyncio.get_running_loop()
        # The user was checked once, at the opening: the stream ends in time for the reconnect to check again,
        # a little earlier or later for each screen, so a room of screens opened together does not reconnect at once.
        next_beat, ends = loop.time() + heartbeat, loop.time() + settings.LIVE_STREAM_SECONDS * random.uniform(0.9, 1)
        while loop.time() < ends:
            message = await pubsub.get_message(timeout=max(min(next_beat, ends) - loop.time(), 0.01))
            if message is not None and message["type"] == "message":
                event = json.loads(message["data"])
                event_id = event.pop("id", "")
                if event_id not in caught_up and live.id_key(event_id) > seen:
                    yield _frame(event_id, event)
            if loop.time() >= next_beat:
                next_beat = loop.time() + heartbeat
                yield ": heartbeat\n\n"
    except (redis.RedisError, OSError):
        # Redis away: end the stream; the browser reconnects after `retry` and catches up.
        return
    finally:
        await pubsub.aclose()
        await client.aclose()

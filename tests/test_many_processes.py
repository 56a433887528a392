"""SPEC §12 "with any number of web processes", shown (issue 19): two gunicorns, one uvicorn (the event
stream) and two Celery workers, started as the Procfile starts them, on one PostgreSQL (the test
database) and one Redis. Threads place, confirm and cancel assignments through both gunicorns with a
coordinator's and a liaison's API tokens, some racing for the same capacity; one worker is SIGKILLed
while it is posting a webhook. When the outbox is drained:
- every wall screen on the stream got every event the web processes published, once each and in order,
  one of them after hanging up and reconnecting mid-run (Last-Event-ID); each web process's polling
  fallback shows the last change;
- every email row was mailed once (the mail files, counted by the notification id each message carries);
  every webhook delivery row reached the receiver, signed, once per try the row counts: the one whose
  worker was killed mid-POST reached it twice, with the same delivery id, as the README tells receivers
  to expect (its first try's fate is unknowable); any other only after a try that timed out;
- no SPEC §5 rule is broken (demo/scale/checks.py).
No timed assertion: each wait is bounded and says what it waited for."""

import collections
import contextlib
import datetime as dt
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from django.conf import settings

from accounts.tokens import issue
from core import freshness
from demo.scale.checks import rule_violations
from deployments.models import Assignment
from notifications.models import Notification, WebhookDelivery
from notifications.webhooks import signature
from staff import live
from tests import factories
from tests.many_processes import Beat, CeleryWorker, Poller, Receiver, Screen, WebProcess, app_env, bounded_wait

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

PLACEMENTS = 60  # each followed by a confirm (liaison) or a cancel (coordinator) through the other gunicorn
THREADS = 8
HOLD_POST = 12  # the webhook POST during which a worker is killed
WEBHOOK_TIMEOUT = 3  # the workers': a claim lapses 3 * 3 + 10 s after a try starts (webhook_delivery.py)
REFUSALS = {"capacity_exceeded", "k9_overlap"}  # what a race for the same capacity may answer instead of 201


@pytest.fixture
def stack(tmp_path):
    """The servers, stopped (and the stream's Redis log dropped) before the test database is flushed."""
    processes = []
    yield processes, tmp_path
    for process in processes:
        process.stop()


@pytest.fixture
def world():
    operation = factories.OperationFactory(code="many-processes")
    scarce = factories.accepted_line(officers=30, pledge__request__operation=operation)  # raced for, in one slot
    ample = factories.accepted_line(officers=200, pledge=scarce.pledge)
    team = factories.accepted_team(pledge=scarce.pledge)
    return {
        "operation": operation,
        "scarce": scarce,
        "ample": ample,
        "team": team,
        "venues": [factories.VenueFactory(operation=operation) for _ in range(3)],
        # Two on each side: each move mails the other side's two people.
        "coordinator": factories.CoordinatorFactory(language="en"),
        "watcher": factories.CoordinatorFactory(language="fr"),
        "liaison": factories.LiaisonFactory(country="PL", language="en"),
        "colleague": factories.LiaisonFactory(country="PL", language="fr"),
    }


def placement(world, i: int) -> dict:
    """The i-th placement: every 4th races for the scarce line's one slot, every 10th (from 5) for the K9 team."""
    day, hour = 10 + i % 20, 6 + i % 12
    slot = {"starts_at": "2024-07-26T08:00:00+02:00", "ends_at": "2024-07-26T16:00:00+02:00"}
    body = {"venue": world["venues"][i % 3].pk, "role": f"Shift {i}"}
    if i % 10 == 5:
        return {**body, **slot, "k9_team": world["team"].pk}
    if i % 4 == 0:
        return {**body, **slot, "pledge_line": world["scarce"].pk, "quantity": 4}
    start = dt.datetime(2024, 7, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    times = {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=4)).isoformat()}
    return {**body, **times, "pledge_line": world["ample"].pk, "quantity": 2}


def drive(world, webs, tokens) -> tuple[list[str], collections.Counter]:
    """PLACEMENTS placements through both gunicorns from THREADS threads; each placed one is then
    confirmed by the liaison or cancelled by the coordinator through the other. Returns what went wrong,
    and the answers counted (placed, refused, moved)."""
    problems, lock, answers = [], threading.Lock(), collections.Counter()

    def call(web, token, path, body):
        response = httpx.post(f"{web.url}/api/v1/{path}", json=body, headers={"Authorization": f"Token {token}"},
                              timeout=30)  # fmt: skip
        return response.status_code, response.json()

    def job(i):
        here, there = webs[i % 2], webs[(i + 1) % 2]
        status, data = call(here, tokens["coordinator"], "assignments/", placement(world, i))
        if status == 409 and data.get("code") in REFUSALS:
            with lock:
                answers[data["code"]] += 1
            return
        if status != 201:
            with lock:
                problems.append(f"placement {i}: {status} {data}")
            return
        with lock:
            answers["placed"] += 1
        if i % 3 == 0:
            status, data = call(there, tokens["coordinator"], f"assignments/{data['id']}/cancel/", {"reason": "Race"})
        else:
            status, data = call(there, tokens["liaison"], f"assignments/{data['id']}/confirm/", {})
        if status != 200:
            with lock:
                problems.append(f"move after placement {i}: {status} {data}")
        with lock:
            answers["moved"] += 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(job, range(PLACEMENTS)))
    return problems, answers


def mailed_notification_ids(mail_dir) -> collections.Counter:
    """Each mailed message's notification id. Django's file backend may append several messages to one
    file (named by the second and an object's address), so messages are counted, not files."""
    ids = collections.Counter()
    for path in mail_dir.iterdir():
        ids.update(int(n) for n in re.findall(r"^X-Reinforcements-Notification: (\d+)$", path.read_text(), re.M))
    return ids


def test_two_web_processes_two_workers_and_a_killed_one_lose_and_double_nothing(stack, world, client):
    processes, tmp_path = stack
    operation = world["operation"]
    killed = []

    def kill_the_sender(address):  # the worker posting the held webhook dies mid-POST, as in a crash
        for worker in workers:
            if worker.owns_connection_from(address):
                worker.kill()
                killed.append(worker.name)

    receiver = Receiver(hold=HOLD_POST, on_hold=kill_the_sender)
    hook = factories.WebhookFactory(url=receiver.url, events=["*"])
    tokens = {"coordinator": issue(world["coordinator"])[1], "liaison": issue(world["liaison"])[1]}
    env = app_env(tmp_path, LIVE_KEEP="5000", LIVE_HEARTBEAT_SECONDS="1", WEB_CONCURRENCY="2",
                  WEBHOOK_TIMEOUT=str(WEBHOOK_TIMEOUT), WEBHOOK_RETRY_BACKOFF="0.5")  # fmt: skip
    webs = [WebProcess(f"web{n}", env, tmp_path) for n in (1, 2)]
    sse = WebProcess("sse", env, tmp_path, asgi=True)
    workers = [CeleryWorker(f"worker{n}", env, tmp_path) for n in (1, 2)]
    processes += [*webs, sse, *workers]
    for process in processes:
        bounded_wait(process.ready, 60, f"{process.name} to start (log: {process.log})")

    client.force_login(world["coordinator"])
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    events_url = f"{sse.url}/ops/{operation.code}/events/"
    screens = [Screen(events_url, cookies, drop_after=20 if n == 0 else None) for n in range(3)]
    pollers = [Poller(f"{web.url}/ops/{operation.code}/board/", cookies) for web in webs]
    beat = Beat(grace=2)
    watchers = [*screens, *pollers, beat]
    for watcher in watchers:
        watcher.start()
    for screen in screens:
        assert screen.subscribed.wait(20), f"a screen never got the stream's first frame: {screen.errors}"
    bounded_wait(lambda: all(p.version is not None for p in pollers), 20, "the pollers' first page")
    # What the setup above published (the world's pledge, lines...) came before the screens listened.
    before = live.client().xrevrange(live.stream_key(operation.pk), count=1)
    after = f"({before[0][0]}" if before else "-"

    try:
        problems, answers = drive(world, webs, tokens)
        assert receiver.held.wait(60), f"the {HOLD_POST}th webhook POST never came"
        assert killed, "the held POST came from no worker's process"

        pending_emails = Notification.objects.filter(channel="email").exclude(status="sent")
        undelivered = WebhookDelivery.objects.exclude(status="delivered")
        bounded_wait(lambda: not pending_emails.exists() and not undelivered.exists(), 60,
                     "every email sent and every webhook delivered (the sweeps recover the killed worker's)")  # fmt: skip
        log = live.client().xrange(live.stream_key(operation.pk), min=after)
        stored, events = [event_id for event_id, _ in log], [json.loads(fields["event"]) for _, fields in log]
        missing = lambda: [sorted(set(stored) - set(s.ids)) for s in screens]  # noqa: E731
        try:
            bounded_wait(lambda: not any(missing()), 20, "every screen to get every event")
        except AssertionError as exc:
            details = (
                f"missing per screen: {missing()} of {len(stored)}; connections: {[s.connections for s in screens]}"
            )
            raise AssertionError(f"{exc}; {details}; errors: {[s.errors for s in screens]}") from None
        version = freshness.current_version()
        bounded_wait(lambda: all(p.version == version for p in pollers), 20, "each poller to see the last version")
    finally:
        for watcher in watchers:
            watcher.done.set()
        receiver.close()
        with contextlib.suppress(redis.RedisError):
            live.client().delete(live.stream_key(operation.pk))

    assert problems == []
    # 60 officers asked of a line of 30 (20 freed by cancels at most); 6 placements of one dog in one slot.
    assert answers["capacity_exceeded"] and answers["k9_overlap"], answers
    assert [w.name for w in workers if not w.alive()] == killed and len(killed) == 1
    assert all(p.alive() for p in [*webs, sse])

    # The screens: every published event, once, in order; the first reconnected and caught up.
    for screen in screens:
        assert screen.errors == [], screen.errors
        assert screen.ids == stored, f"a screen missed {set(stored) - set(screen.ids)} or repeated some"
    assert [s.connections for s in screens] == [2, 1, 1]
    assert all(p.errors == [] and p.last_event == stored[-1] and p.changes > 1 for p in pollers)
    # Every committed change was published: each assignment's creation, and its move if it had one.
    told = {(e["pk"], e["action"], e["status"]) for e in events if e["kind"] == "assignment"}
    assignments = list(Assignment.objects.filter(venue__operation=operation).values_list("pk", "status"))
    assert len(assignments) >= PLACEMENTS // 2, "most placements should have been placed"
    assert all((pk, "created", "planned") in told and (pk, "changed", status) in told for pk, status in assignments)

    # Emails: each row mailed exactly once.
    rows = list(Notification.objects.filter(channel="email").values_list("pk", flat=True))
    assert rows, "the moves wrote no email"
    assert mailed_notification_ids(tmp_path / "mail") == collections.Counter(rows)

    # Webhooks: each row reached the receiver, signed, and was POSTed once per try the row counts: a second
    # POST only after a try whose answer never came back (the killed one; one that timed out under load),
    # with the same delivery id for the receiver to drop it by (README "Webhooks").
    deliveries = {str(d.uuid): d for d in WebhookDelivery.objects.filter(webhook=hook)}
    posted = collections.Counter(delivery_id for delivery_id, *_ in receiver.posts)
    assert set(posted) == set(deliveries)
    assert posted == collections.Counter({uuid: d.attempts for uuid, d in deliveries.items()})
    held_id = receiver.posts[HOLD_POST - 1][0]
    assert posted[held_id] == 2
    assert all(sig == signature(hook.secret, ts, body) for _id, ts, sig, body in receiver.posts)

    # SPEC §5, set-wise over the operation.
    assert rule_violations(operation.pk) == dict.fromkeys(rule_violations(operation.pk), 0)
    print(
        f"{dict(answers)}; {len(stored)} events to {len(screens)} screens; {len(rows)} emails; "
        f"{len(deliveries)} webhook deliveries, {len(receiver.posts)} POSTs; killed {killed}"
    )

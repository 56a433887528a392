"""The pieces of tests/test_many_processes.py: the app's processes as production runs them (Procfile), on
the test database and the test run's Redis, and what watches them from outside: wall screens on the event
stream, pollers on each web process's board, a webhook receiver.

Every child runs in a session of its own, so a kill (SIGKILL to its process group) takes its children
(gunicorn's and Celery's pool processes) with it, as a host that dies would."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
from django.conf import settings
from django.db import connection

from notifications.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from tests.asgi_server import free_port

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def bounded_wait(condition, seconds: float, what: str, interval: float = 0.2):
    """Wait for `condition()` to be true, at most `seconds`; fail saying what did not happen."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds} s, still waiting for {what}")
        time.sleep(interval)
    return value


def app_env(data_dir: Path, **extra) -> dict:
    """Settings of every process: the test database (committed data, `transactional_db`), the run's
    Redis and key prefix (tests/conftest.py), mail files under `data_dir`/mail."""
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        REDIS_URL=settings.REDIS_URL, CELERY_INSTANCE=settings.CELERY_INSTANCE, DEMO_NOW=settings.DEMO_NOW,
        REINFORCEMENTS_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **extra,
    )  # fmt: skip
    return env


class Process:
    """One server of the stack, its output in `log`; `kill()` is SIGKILL to its whole process group."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.log = name, log_dir / f"{name}.log"
        self._log_file = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def owns_connection_from(self, address: tuple[str, int]) -> bool:
        """Is `address` (a client's ip and port, as a server sees it) a socket of this process or its children?"""
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(self.proc.pid)
            for process in [parent, *parent.children(recursive=True)]:
                if any(c.laddr and tuple(c.laddr) == address for c in process.net_connections(kind="tcp")):
                    return True
        return False

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


class WebProcess(Process):
    """gunicorn with server/gunicorn.py (Procfile `web`), or uvicorn (Procfile `sse`), on a free port."""

    def __init__(self, name: str, env: dict, log_dir: Path, *, asgi: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if asgi:
            command = [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
                       "--port", str(self.port), "--no-access-log"]  # fmt: skip
        else:
            command = [str(BIN / "gunicorn"), "config.wsgi", "-c", "server/gunicorn.py",
                       "--bind", f"127.0.0.1:{self.port}"]  # fmt: skip
        super().__init__(name, command, env, log_dir)

    def ready(self) -> bool:
        assert self.alive(), f"{self.name} exited:\n{self.log.read_text()[-3000:]}"
        try:
            return httpx.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


class CeleryWorker(Process):
    """`celery -A config worker` (Procfile `worker`) with a hostname of its own. One pool process:
    the test then knows what the worker was doing when it is killed."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        command = [str(BIN / "celery"), "-A", "config", "worker", "-l", "info", "--concurrency", "1",
                   "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"]  # fmt: skip
        super().__init__(name, command, env, log_dir)

    def ready(self) -> bool:
        assert self.alive(), f"{self.name} exited:\n{self.log.read_text()[-3000:]}"
        return "ready." in self.log.read_text()


class Screen(threading.Thread):
    """A wall screen on the event stream: reads `change` frames (plain HTTP, text/event-stream) and, when
    its line drops, reconnects with the last id it saw (Last-Event-ID), as EventSource does. With
    `drop_after`, it hangs up once after that many events, waits a moment, and comes back."""

    def __init__(self, url: str, cookies: dict, drop_after: int | None = None):
        super().__init__(daemon=True)
        self.url, self.cookies, self.drop_after = url, cookies, drop_after
        self.ids, self.errors, self.connections = [], [], 0
        self.subscribed, self.done = threading.Event(), threading.Event()

    def run(self):
        last = ""
        while not self.done.is_set():
            headers = {"Last-Event-ID": last} if last else {}
            try:
                with httpx.stream("GET", self.url, cookies=self.cookies, headers=headers,
                                  timeout=httpx.Timeout(5.0, read=15.0)) as response:  # fmt: skip
                    if response.status_code != 200:
                        self.errors.append(f"HTTP {response.status_code}")
                        return
                    self.connections += 1
                    last = self._read(response, last)
            except httpx.HTTPError as exc:
                self.errors.append(repr(exc))
            time.sleep(0.5)  # the stream's `retry`: events keep coming meanwhile

    def _read(self, response, last: str) -> str:
        frame = {}
        for line in response.iter_lines():
            if self.done.is_set():
                break
            if line.startswith(":"):  # a heartbeat
                continue
            if line:
                field, _sep, value = line.partition(":")
                frame[field] = value.lstrip(" ")
                continue
            if "retry" in frame:  # the first frame: the stream listens to the channel now
                self.subscribed.set()
            if frame.get("event") == "change":
                self.ids.append(frame["id"])
                last = frame["id"]
                if self.drop_after and len(self.ids) == self.drop_after:
                    self.drop_after = None
                    break
            frame = {}
        return last


class Poller(threading.Thread):
    """The board's polling fallback on one web process: `?version=N` answers 204 while nothing changed,
    else the live part with the new version and the feed's last event id."""

    VERSION = re.compile(r'id="board-live" data-version="(\d+)" data-last-event="([^"]*)"')

    def __init__(self, url: str, cookies: dict):
        super().__init__(daemon=True)
        self.url, self.cookies = url, cookies
        self.version, self.last_event, self.changes, self.errors = None, "", 0, []
        self.done = threading.Event()

    def run(self):
        with httpx.Client(cookies=self.cookies, timeout=10) as client:
            while not self.done.is_set():
                params = {} if self.version is None else {"version": self.version}
                response = client.get(self.url, params=params)
                if response.status_code == 200 and (found := self.VERSION.search(response.text)):
                    self.version, self.last_event = int(found.group(1)), found.group(2)
                    self.changes += 1
                elif response.status_code != 204:
                    self.errors.append(f"HTTP {response.status_code}")
                time.sleep(0.2)


class Receiver:
    """A webhook receiver on 127.0.0.1: logs every POST (delivery id, timestamp, signature, body) as it
    arrives and answers 200, except the `hold`-th POST: it logs it, calls `on_hold(sender's address)` at
    once (before the sender's own timeout ends its wait) and never answers it."""

    def __init__(self, hold: int, on_hold):
        self.posts, self.lock = [], threading.Lock()
        self.hold, self.on_hold, self.held = hold, on_hold, threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                entry = (self.headers[DELIVERY_HEADER], self.headers[TIMESTAMP_HEADER],
                         self.headers[SIGNATURE_HEADER], body)  # fmt: skip
                with receiver.lock:
                    receiver.posts.append(entry)
                    hold = len(receiver.posts) == receiver.hold
                if hold:
                    try:
                        receiver.on_hold(self.client_address[:2])
                    finally:
                        receiver.held.set()
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

            def handle(self):
                with contextlib.suppress(OSError):  # the held POST's sender is dead: no one to answer
                    super().handle()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Beat(threading.Thread):
    """What `celery beat` does for the outbox (config/celery.py), every second instead of every minute:
    send the sweep tasks, which a worker runs."""

    def __init__(self, grace: float):
        super().__init__(daemon=True)
        self.grace, self.done, self.sent = grace, threading.Event(), 0

    def run(self):
        from notifications.tasks import sweep_pending
        from notifications.webhook_delivery import sweep_webhooks

        while not self.done.wait(1.0):
            sweep_pending.apply_async(kwargs={"older_than_seconds": self.grace})
            sweep_webhooks.apply_async(kwargs={"older_than_seconds": self.grace})
            self.sent += 1

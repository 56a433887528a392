import contextlib
import socket
import threading
import time

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from config.celery import app
from notifications.tasks import broker_pause


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def broker_at(url: str):
    """Point publishing (and any worker started inside) at `url`."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    _drop_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _drop_pools()
        broker_pause.reset()


def _drop_pools():
    # Celery and kombu keep connection and producer pools for the process's life, keyed by the URL
    # they were made with; drop them all so the next publish connects to the URL now configured.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(condition, timeout=15.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


class Worker:
    """A real Celery worker (solo pool, in a thread of this process) on the real Redis broker.

    Its mail goes to the test outbox (locmem backend), which both threads share.
    """

    def __init__(self):
        self.finished, self.outcomes = [], []
        task_postrun.connect(self._record, weak=False)

    def _record(self, task_id=None, task=None, retval=None, **kwargs):
        self.finished.append(task_id)
        if task.name == "notifications.tasks.deliver":
            self.outcomes.append(retval)
        elif task.name == "notifications.tasks.deliver_many":  # the rows of one transaction
            self.outcomes.extend(retval)

    def drain(self, timeout=15.0):
        """Wait until everything queued before now has been handled: the solo worker takes the
        queue in order, so once a marker task has run, so have the ones before it."""
        from notifications.tasks import sweep_pending

        marker = sweep_pending.apply_async(kwargs={"older_than_seconds": 10**9})
        assert wait_until(lambda: marker.id in self.finished, timeout), "the worker did not drain its queue"

    def close(self):
        task_postrun.disconnect(self._record)


@contextlib.contextmanager
def running_worker():
    worker = Worker()
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
            yield worker
    finally:
        worker.close()


@pytest.fixture
def empty_queue(transactional_db, settings):
    """Fast retries for the tests, and no message left over from another test."""
    settings.NOTIFICATION_RETRY_BACKOFF = 0.05
    broker_pause.reset()
    app.control.purge()
    yield
    broker_pause.reset()


@pytest.fixture
def celery_worker(empty_queue):
    """Stopped before the database is flushed (fixtures tear down in reverse)."""
    with running_worker() as worker:
        yield worker


@pytest.fixture
def hung_broker():
    """A TCP server that accepts connections and never answers: a Redis that hangs."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted, stop = [], threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


class Receiver:
    """A webhook receiver on 127.0.0.1 (a port of its own): it logs every POST (headers, raw body)
    and answers with the next of `answers` (200 once they run out), after `delay` seconds. With
    `hang_first`, the first POST is read and then neither kept nor answered (`hung` is set)."""

    def __init__(self, hang_first: bool = False):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.posts, self.answers, self.delay, self.lock = [], [], 0.0, threading.Lock()
        self.hang_first, self.hung, self.release = hang_first, threading.Event(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    hang, receiver.hang_first = receiver.hang_first, False
                if hang:
                    receiver.hung.set()
                    receiver.release.wait(60)
                    return
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.posts.append((self.path, self.headers, body))
                    code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                if code in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()

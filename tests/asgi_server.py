"""The ASGI process of the live board (uvicorn, Procfile `sse`), started for a test on a free port,
against the test database and the test's Redis key prefix, so it sees what the test commits."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def uvicorn(**env):
    """Yields the server's base URL; stops it after. `env`: settings for it (e.g. SITE_URL)."""
    port = free_port()
    # The run's own DATABASE_URL (host, port or socket, user), naming the test database instead.
    url = urlsplit(os.environ["DATABASE_URL"])
    environ = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_INSTANCE": settings.CELERY_INSTANCE,
        "DEMO_NOW": settings.DEMO_NOW,
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=environ,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

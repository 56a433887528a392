"""Reaching other databases on the test run's server, from subprocesses and psycopg2.

The embedded server (no DATABASE_URL) listens on a Unix socket, which django-environ puts
in OPTIONS["host"]; a real server has HOST and PORT.
"""

from django.db import connection


def _server() -> dict:
    db = connection.settings_dict
    options = db.get("OPTIONS", {})
    return {
        "host": db["HOST"] or options.get("host") or "127.0.0.1",
        "port": db["PORT"] or options.get("port") or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }


def connect_kwargs(name: str) -> dict:
    return {"dbname": name, **_server()}


def database_url(name: str | None = None) -> str:
    server = _server()
    name = name or connection.settings_dict["NAME"]
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    if str(server["host"]).startswith("/"):
        return f"postgres://{auth}@/{name}?host={server['host']}&port={server['port']}"
    return f"postgres://{auth}@{server['host']}:{server['port']}/{name}"

"""`make backup` / `make restore FILE=...` (server/backup.py) give back the same data."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from deployments.transitions import create_assignment
from tests.factories import (
    CoordinatorFactory,
    RequestLineFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)
from tests.trust.dburl import connect_kwargs, database_url

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _backup(*args, database: str):
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    return subprocess.run(
        [sys.executable, "-m", "server.backup", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _admin(sql: str):
    conn = psycopg2.connect(**connect_kwargs("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def _fingerprint(name: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table: equal fingerprints, equal data."""
    conn = psycopg2.connect(**connect_kwargs(name))
    prints = {}
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cur.fetchall():
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            prints[table] = cur.fetchone()
        cur.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'deployments_assignment_k9_no_overlap'")
        prints["k9 exclusion constraint"] = cur.fetchone()
    conn.close()
    return prints


@pytest.fixture
def some_data():
    coordinator = CoordinatorFactory()
    line = accepted_line(officers=8)
    team = accepted_team(pledge=line.pledge)
    RequestLineFactory(request=line.pledge.request)
    venue = VenueFactory(operation=line.pledge.request.operation)
    create_assignment(
        actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), pledge_line=line, quantity=3
    )
    create_assignment(actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), k9_team=team)


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_an_empty_database_holds_the_same_data(some_data, empty_database, tmp_path):
    source = connection.settings_dict["NAME"]
    dumped = _backup("dump", str(tmp_path / "backup.dump"), database=source)
    assert dumped.returncode == 0, dumped.stderr

    restored = _backup("restore", str(tmp_path / "backup.dump"), database=empty_database)

    assert restored.returncode == 0, restored.stderr
    before, after = _fingerprint(source), _fingerprint(empty_database)
    assert after == before
    assert after["deployments_assignment"][0] == 2
    assert after["k9 exclusion constraint"] == (1,)


def test_restoring_over_a_database_replaces_what_changed_since_the_dump(some_data, empty_database, tmp_path):
    source = connection.settings_dict["NAME"]
    assert _backup("dump", str(tmp_path / "backup.dump"), database=source).returncode == 0
    assert _backup("restore", str(tmp_path / "backup.dump"), database=empty_database).returncode == 0
    before = _fingerprint(empty_database)
    conn = psycopg2.connect(database_url(empty_database))
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE pledges_pledge SET status = 'withdrawn'")
        cur.execute("DELETE FROM notifications_notification")
    conn.close()

    restored = _backup("restore", str(tmp_path / "backup.dump"), database=empty_database)

    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(empty_database) == before


def test_restoring_a_missing_file_fails_and_says_so(tmp_path):
    result = _backup("restore", str(tmp_path / "nothing.dump"), database=connection.settings_dict["NAME"])

    assert result.returncode != 0
    assert "No such backup" in result.stderr


def test_the_tools_match_the_servers_major_version():
    from server.backup import _major, tool_for

    server_major = connection.pg_version // 10000

    assert _major(tool_for("pg_dump", server_major)) == server_major
    assert _major(tool_for("pg_restore", server_major)) == server_major

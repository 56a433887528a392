"""Web containers on several hosts migrate as they start, at once (server/migrate.py, README "Deployment
on several hosts"): one process migrates, the others wait for it, and every one starts."""

import os
import subprocess
import sys

import psycopg2
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.trust.dburl import connect_kwargs, database_url

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _admin(sql: str):
    conn = psycopg2.connect(**connect_kwargs("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_migrate"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_three_hosts_migrating_one_empty_database_at_once_all_succeed(empty_database):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url(empty_database))
    command = [sys.executable, "-m", "server.migrate"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0, 0], "\n\n".join(outputs)
    applied = MigrationLoader(connection).applied_migrations  # the test database: every migration
    conn = psycopg2.connect(**connect_kwargs(empty_database))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations")
        rows = cur.fetchall()
    conn.close()
    assert sorted(rows) == sorted(applied), "each migration applied once, all of them"
    assert sum("Applying " in output for output in outputs) == 1, "one process migrated, the others had nothing to do"

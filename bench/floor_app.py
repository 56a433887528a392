"""The floor: the rows an endpoint shows, read by one raw SQL statement and serialised with `json`.

A bare WSGI app served by the same gunicorn as Django (bench/wsgi.py sends /_floor/<name> here),
so an endpoint's p95 divided by its floor's p95 is what the framework, the ORM and the
serialisers cost on top of the database and the network. The single placement's floor, a write, is
bench/floor_write.py.
"""

import json
import os
from urllib.parse import parse_qs

import psycopg2

from bench import floor_write
from bench.sql import COUNTRY_COVERAGE_SQL, NEED_COVERAGE_SQL, SPECIALTY_COVERAGE_SQL

_LINES = """(SELECT json_agg(json_build_object('id', l.id, 'specialty', s.code, 'quantity', l.quantity) ORDER BY l.id)
             FROM reinforcements_requestline l JOIN reinforcements_specialty s ON s.id = l.specialty_id
             WHERE l.request_id = r.id)"""

_REQUEST_COLUMNS = f"""r.id, o.code AS operation, r.country, r.authority, r.status, r.response_due, r.period_start,
    r.period_end, r.message, r.internal_notes, r.status_reason, r.sent_at, {_LINES} AS lines"""

_PLEDGE_COLUMNS = """p.id, p.request_id AS request, p.status, p.commander_name, p.commander_contact, p.notes,
    p.decision_note, p.submitted_at, p.decided_at,
    (SELECT json_agg(json_build_object('id', l.id, 'specialty', s.code, 'officers_offered', l.officers_offered,
         'officers_accepted', l.officers_accepted, 'available_from', l.available_from,
         'available_to', l.available_to, 'languages', l.languages) ORDER BY l.id)
     FROM pledges_pledgeline l JOIN reinforcements_specialty s ON s.id = l.specialty_id WHERE l.pledge_id = p.id) AS lines,
    (SELECT json_agg(json_build_object('id', t.id, 'handler_name', t.handler_name, 'dog_name', t.dog_name,
         'dog_breed', t.dog_breed, 'detection', t.detection, 'certification_expires_on', t.certification_expires_on,
         'available_from', t.available_from, 'available_to', t.available_to, 'accepted', t.accepted) ORDER BY t.id)
     FROM pledges_k9team t WHERE t.pledge_id = p.id) AS k9_teams"""

_ASSIGNMENT_COLUMNS = """a.id, a.pledge_line_id AS pledge_line, a.quantity, a.k9_team_id AS k9_team, v.code AS venue,
    a.starts_at, a.ends_at, a.role, a.status, r.country"""

_ASSIGNMENT_JOINS = """deployments_assignment a JOIN deployments_venue v ON v.id = a.venue_id
    JOIN pledges_pledge p ON p.id = a.pledge_id JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id"""


def _rows(sql):
    return f"SELECT COALESCE(json_agg(row_to_json(x)), '[]') FROM ({sql}) x"


FLOORS = {
    "requests_by_country": _rows(f"""
        SELECT {_REQUEST_COLUMNS} FROM reinforcements_reinforcementrequest r
        JOIN reinforcements_operation o ON o.id = r.operation_id
        WHERE r.operation_id = %(op)s AND r.country = %(country)s
        ORDER BY r.country, r.authority LIMIT %(page_size)s"""),
    "pledges": _rows(f"""
        SELECT {_PLEDGE_COLUMNS} FROM pledges_pledge p
        JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
        WHERE r.operation_id = %(op)s ORDER BY p.created_at DESC, p.id DESC LIMIT %(page_size)s"""),
    "assignments_venue_day": _rows(f"""
        SELECT {_ASSIGNMENT_COLUMNS} FROM {_ASSIGNMENT_JOINS}
        WHERE v.operation_id = %(op)s AND v.code = %(venue)s
          AND a.starts_at >= %(day_start)s AND a.ends_at <= %(day_end)s
        ORDER BY a.starts_at, a.id LIMIT %(page_size)s"""),
    "coverage": f"""SELECT json_build_object(
        'by_country', (SELECT json_agg(row_to_json(c)) FROM ({COUNTRY_COVERAGE_SQL}) c),
        'by_specialty', (SELECT json_agg(row_to_json(s)) FROM ({SPECIALTY_COVERAGE_SQL}) s),
        'by_venue', (SELECT json_agg(row_to_json(n)) FROM ({NEED_COVERAGE_SQL}) n))""",
    "dashboard": f"""SELECT json_build_object(
        'requests', (SELECT json_object_agg(status, n) FROM (SELECT status, COUNT(*) n
                     FROM reinforcements_reinforcementrequest WHERE operation_id = %(op)s GROUP BY 1) q),
        'pledges', (SELECT json_object_agg(status, n) FROM (SELECT p.status, COUNT(*) n FROM pledges_pledge p
                    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
                    WHERE r.operation_id = %(op)s GROUP BY 1) q),
        'by_country', (SELECT json_agg(row_to_json(c)) FROM ({COUNTRY_COVERAGE_SQL}) c))""",
    "planner": f"""SELECT json_build_object(
        'assignments', (SELECT json_agg(row_to_json(x)) FROM (SELECT {_ASSIGNMENT_COLUMNS} FROM {_ASSIGNMENT_JOINS}
                        WHERE v.operation_id = %(op)s AND v.code = %(venue)s AND a.status <> 'cancelled'
                          AND a.starts_at < %(day_end)s AND a.ends_at > %(day_start)s ORDER BY a.starts_at, a.id) x),
        'needs', (SELECT json_agg(row_to_json(x)) FROM (SELECT n.id, s.code AS specialty, n.starts_at, n.ends_at,
                  n.quantity FROM deployments_venueneed n JOIN deployments_venue v ON v.id = n.venue_id
                  JOIN reinforcements_specialty s ON s.id = n.specialty_id
                  WHERE v.operation_id = %(op)s AND v.code = %(venue)s
                    AND n.starts_at < %(day_end)s AND n.ends_at > %(day_start)s ORDER BY n.starts_at) x))""",
    "portal_home": f"""SELECT json_build_object(
        'requests', (SELECT json_agg(row_to_json(x)) FROM (SELECT {_REQUEST_COLUMNS}
                     FROM reinforcements_reinforcementrequest r JOIN reinforcements_operation o ON o.id = r.operation_id
                     WHERE r.country = %(country)s AND r.status <> 'draft' ORDER BY r.id) x),
        'pledges', (SELECT json_agg(row_to_json(x)) FROM (SELECT p.id, p.status, p.submitted_at, p.decided_at
                    FROM pledges_pledge p JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
                    WHERE r.country = %(country)s ORDER BY p.id) x),
        'next_assignments', (SELECT json_agg(row_to_json(x)) FROM (SELECT {_ASSIGNMENT_COLUMNS} FROM {_ASSIGNMENT_JOINS}
                    WHERE r.country = %(country)s AND a.status IN ('planned', 'confirmed')
                    ORDER BY a.starts_at, a.id LIMIT %(page_size)s) x))""",
}

_connection = None


def _cursor():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    return _connection.cursor()


def application(environ, start_response):
    name = environ.get("PATH_INFO", "").removeprefix("/_floor/").strip("/")
    if name == "assignment_create" and environ.get("REQUEST_METHOD") == "POST":
        return floor_write.create(environ, start_response)
    if name not in FLOORS:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such floor"]
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    params.setdefault("page_size", "50")
    with _cursor() as cur:
        cur.execute(FLOORS[name], params)
        # The database builds the JSON text; load and dump it again so the floor pays for `json` too.
        (value,) = cur.fetchone()
    body = json.dumps(value, default=str).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

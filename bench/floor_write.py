"""The floor of a single placement: `POST /_floor/assignment_create`, the database and Redis work of
`POST /api/v1/assignments/` with no framework, no ORM and no rule computed in Python.

The same statements, in the same transaction, on the same rows: the token and its user's groups; the
pledge locked FOR SHARE, then the line FOR NO KEY UPDATE with its pledge, request, operation and
specialty; the venue; the line's timeline (the rules' SQL, deployments/rules/timeline.py) and the needs
the placement covers; the assignment and its history row; the hooks listening, the country's liaisons
and one in-app and one email row each; COMMIT; the data version; then, as the on-commit hooks do, the
board's event (XADD + PUBLISH) and one queued message (LPUSH), in one Redis round trip. A single
placement's p95 divided by this floor's is what Django, DRF, the ORM and the rules cost on top of the
database, Redis and the network, on the same machine and under the same load.
"""

import datetime as dt
import hashlib
import json
import os

import psycopg2
import redis

# Marks what the floor placed; bench.run removes those rows after the floor's row.
ROLE = "Benchmark floor"
QUEUE = "bench:floor:queue"

_TOKEN = """SELECT t.user_id, ARRAY(SELECT g.name FROM auth_group g JOIN reinforcements_user_groups ug
    ON ug.group_id = g.id WHERE ug.user_id = t.user_id) FROM knox_authtoken t
    JOIN reinforcements_user u ON u.id = t.user_id WHERE t.token_key = %s AND t.digest = %s AND u.is_active"""
_LINE = """SELECT l.pledge_id, l.specialty_id, l.officers_accepted, l.languages, r.country, o.timezone, o.rules,
    s.name_en, p.status FROM pledges_pledgeline l JOIN pledges_pledge p ON p.id = l.pledge_id
    JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
    JOIN reinforcements_operation o ON o.id = r.operation_id JOIN reinforcements_specialty s ON s.id = l.specialty_id
    WHERE l.id = %s FOR NO KEY UPDATE OF l"""
_TIMELINE = """SELECT EXTRACT(EPOCH FROM starts_at)::float8, EXTRACT(EPOCH FROM ends_at)::float8, quantity, id, venue_id
    FROM deployments_assignment WHERE pledge_line_id = %(line)s::bigint AND status <> 'cancelled' AND id <> 0
    AND TSTZRANGE(starts_at, ends_at, '[)') && TSTZRANGE(%(lo)s, %(hi)s, '[)') ORDER BY starts_at, id"""
_NEEDS = """SELECT id, languages, legal_status, armed FROM deployments_venueneed WHERE venue_id = %s
    AND specialty_id = %s AND starts_at < %s AND ends_at > %s
    AND (languages <> '{}' OR legal_status IS NOT NULL OR armed IS NOT NULL) ORDER BY starts_at, id"""
_INSERT = """INSERT INTO deployments_assignment (pledge_id, pledge_line_id, quantity, venue_id, starts_at, ends_at,
    role, status, status_reason, created_by_id, created_at, updated_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, 'planned', '', %s, now(), now()) RETURNING id"""
_HISTORY = """INSERT INTO deployments_historicalassignment (id, quantity, starts_at, ends_at, role, status,
    status_reason, pledge_id, pledge_line_id, venue_id, created_by_id, history_date, history_type, history_user_id)
    VALUES (%s, %s, %s, %s, %s, 'planned', '', %s, %s, %s, %s, now(), '+', %s)"""
_HOOKS = """SELECT id FROM notifications_webhook WHERE is_active
    AND (events @> ARRAY['assignment.created']::varchar(50)[] OR events @> ARRAY['*']::varchar(50)[]) ORDER BY id"""
_LIAISONS = """SELECT u.id, u.email, u.language FROM reinforcements_user u
    JOIN reinforcements_liaisonprofile lp ON lp.user_id = u.id WHERE u.is_active AND lp.country = %s AND u.id <> %s
    ORDER BY u.id"""
_NOTIFY = """INSERT INTO notifications_notification (recipient_id, event, subject, body, url, channel, status,
    attempts, next_attempt_at, last_error, created_at, sent_at, content_type_id, object_id, updated_at)
    SELECT recipient, 'assignment_planned', %(subject)s, %(body)s, %(url)s, channel, status, 0,
    CASE WHEN channel = 'email' THEN now() END, '', now(), CASE WHEN channel = 'in_app' THEN now() END,
    NULL, %(id)s, now() FROM UNNEST(%(recipients)s::bigint[], %(channels)s::varchar[], %(statuses)s::varchar[])
    AS x(recipient, channel, status) RETURNING id"""

_connection = None
_redis = None


def _db():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
    return _connection


def _r():
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return _redis


def _answer(start_response, status: str, value) -> list[bytes]:
    body = json.dumps(value, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def create(environ, start_response):
    key = environ.get("HTTP_AUTHORIZATION", "").split()[1]
    data = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    db = _db()
    with db, db.cursor() as cur:  # one transaction, committed on leaving
        placed = place(cur, key, data)
    with db.cursor() as cur:
        cur.execute("SELECT nextval('reinforcements_data_version')")
    db.commit()
    event = {"kind": "assignment", "pk": placed["id"], "action": "created", **placed.pop("board")}
    pipe = _r().pipeline(transaction=False)
    pipe.xadd("bench:floor:live", {"event": json.dumps(event)}, maxlen=1000, approximate=True)
    pipe.publish("bench:floor:live", json.dumps(event))
    pipe.lpush(QUEUE, json.dumps({"task": "deliver_many", "args": [placed.pop("emails")]}))
    pipe.execute()
    return _answer(start_response, "201 Created", {**data, **placed})


def place(cur, key: str, data: dict) -> dict:
    """The transaction's statements on `cur` (a psycopg2 cursor, uncommitted)."""
    starts, ends = dt.datetime.fromisoformat(data["starts_at"]), dt.datetime.fromisoformat(data["ends_at"])
    line, venue, quantity = int(data["pledge_line"]), int(data["venue"]), int(data["quantity"])
    # knox's digest (SHA-512 of the key), computed here: knox reads Django's settings on import.
    cur.execute(_TOKEN, [key[:15], hashlib.sha512(key.encode()).hexdigest()])
    user, groups = cur.fetchone()
    cur.execute(
        "SELECT 1 FROM pledges_pledge WHERE id = (SELECT pledge_id FROM pledges_pledgeline WHERE id = %s) FOR SHARE",
        [line],
    )
    cur.execute(_LINE, [line])
    pledge, specialty, _accepted, _languages, country, tz, _rules, specialty_name, _status = cur.fetchone()
    cur.execute("SELECT operation_id, code, name, latitude, longitude FROM deployments_venue WHERE id = %s", [venue])
    operation, code, venue_name, _lat, _lon = cur.fetchone()
    cur.execute(_TIMELINE, {"line": line, "lo": starts - dt.timedelta(hours=24), "hi": ends + dt.timedelta(hours=24)})
    cur.fetchall()
    cur.execute(_NEEDS, [venue, specialty, ends, starts])
    cur.fetchall()
    cur.execute(_INSERT, [pledge, line, quantity, venue, starts, ends, ROLE, user])
    (assignment,) = cur.fetchone()
    cur.execute(_HISTORY, [assignment, quantity, starts, ends, ROLE, pledge, line, venue, user, user])
    cur.execute(_HOOKS)
    cur.fetchall()
    cur.execute(_LIAISONS, [country, user])
    liaisons = cur.fetchall()
    text = f"New assignment: {quantity} officer ({specialty_name}) at {venue_name}, {starts:%d %B %Y %H:%M} ({tz})"
    cur.execute(_NOTIFY, {
        "subject": text, "body": text, "url": f"/portal/assignments/{assignment}/", "id": assignment,
        "recipients": [pk for pk, _email, _language in liaisons for _channel in ("in_app", "email")],
        "channels": ["in_app", "email"] * len(liaisons), "statuses": ["sent", "pending"] * len(liaisons),
    })  # fmt: skip
    rows = [pk for (pk,) in cur.fetchall()]
    return {"id": assignment, "groups": groups, "emails": rows[1::2], "board": {"operation": operation, "venue": code}}


def clean(connection) -> None:
    """Remove what the floor placed and queued (after its row): it must not weigh on later rows."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM deployments_assignment WHERE role = %s", [ROLE])
    _r().delete(QUEUE, "bench:floor:live")

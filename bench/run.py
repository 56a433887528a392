"""`make bench`: the games-scale benchmark (issue 9).

1. loads the games-scale operation into its own database (`reinforcements_bench` on the server
   of DATABASE_URL) with `manage.py seed_scale --replace`;
2. serves bench/wsgi.py (the app with DEBUG=false, plus the floor app) with gunicorn;
3. drives every row of bench/endpoints.toml from this process at 8 concurrent clients for a
   bounded number of requests, then the row's floor the same way;
4. times the planning rows (bench/planning.py: proposals and what-if, issue 15) in this process;
5. prints a table, writes bench/results.json, and ends with how many rows are within budget.

Options: --clients 8 --requests 150 --duration 15 --workers 4 --no-seed --small --only NAME.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import zoneinfo
from pathlib import Path
from urllib.parse import quote

from bench import board, feed, floor_write, load, planning
from server import services

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB in the environment: another name, for a second run beside one under way on the same server.
BENCH_DB = os.environ.get("BENCH_DB", "reinforcements_bench")
SMALL = ["--countries", "20", "--venues", "10", "--officers", "3000", "--k9-teams", "100", "--assignments", "15000",
         "--needs", "300", "--notifications", "3000"]  # fmt: skip


def bench_database_url(url: str) -> str:
    return services.with_database(url, BENCH_DB)


def ensure_database(url: str) -> None:
    services.ensure_database(services.with_database(url, "postgres"), BENCH_DB)


def manage(env, *args):
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)
    return time.monotonic() - started


def wait_for_port(port: int, proc, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; see the output above")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {port}")


class Fixtures:
    """What the requests need: tokens, sessions, ids; built in this process through the ORM."""

    def __init__(self, op_code: str, decisions: int):
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.db.models import Count, Sum
        from knox.models import AuthToken

        from deployments.models import Assignment, Venue
        from pledges.models import PledgeLine
        from reinforcements.models import Operation, ReinforcementRequest, User

        self.op = Operation.objects.get(code=op_code)
        coordinator = User.objects.get(username=f"{op_code}-coordinator-1")
        self.token = AuthToken.objects.create(user=coordinator)[1]
        accepted = PledgeLine.objects.filter(
            pledge__request__operation=self.op, pledge__status__in=("accepted", "partially_accepted")
        )
        self.country = (
            accepted.values("pledge__request__country").annotate(n=Sum("officers_accepted")).order_by("-n")[0]
        )["pledge__request__country"]
        liaison = User.objects.get(username=f"{op_code}-liaison-{self.country.lower()}")

        def session(user):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "core.auth.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

        self.cookies = {"coordinator": session(coordinator), "liaison": session(liaison)}
        busiest = (
            Assignment.objects.filter(venue__operation=self.op)
            .values("venue")
            .annotate(n=Count("id"))
            .order_by("-n")[0]["venue"]
        )
        self.venue = Venue.objects.get(pk=busiest)
        zone = zoneinfo.ZoneInfo(self.op.timezone)
        self.day = self.op.starts_on + dt.timedelta(days=7 + 17)
        self.day_start = dt.datetime.combine(self.day, dt.time.min, zone)
        self.day_end = self.day_start + dt.timedelta(days=1)
        self.pledges_to_decide = self._submitted_pledges(decisions)
        # Lines people may still be placed from: a closed request's would be refused (a 409, not a measure).
        placeable = accepted.filter(withdrawn_at__isnull=True).exclude(
            pledge__request__status__in=ReinforcementRequest.ENDED_STATUSES
        )
        self.lines = list(
            placeable.filter(
                available_from__lte=self.op.starts_on + dt.timedelta(days=7),
                available_to__gte=self.op.ends_on - dt.timedelta(days=7),
            )
            .order_by("-officers_accepted")
            .values_list("id", flat=True)[:20]
        )
        # Bulk placement: 25 lines that serve through the 40 days from the operation's second week.
        self.bulk_from = self.op.starts_on + dt.timedelta(days=7)
        self.bulk_days = min(40, (self.op.ends_on - self.bulk_from).days + 1)
        self.bulk_lines = list(
            placeable.filter(
                available_from__lte=self.bulk_from,
                available_to__gte=self.bulk_from + dt.timedelta(days=self.bulk_days - 1),
            )
            .order_by("-officers_accepted", "pk")
            .values_list("id", flat=True)[:25]
        )

    def _submitted_pledges(self, n):
        """Fresh submitted pledges on open requests, one per decision the benchmark will post."""
        from pledges.models import Pledge, PledgeLine
        from reinforcements.models import ReinforcementRequest, Specialty

        requests = list(
            ReinforcementRequest.objects.filter(operation=self.op, authority="interior", status="acknowledged")
        )
        specialties = list(Specialty.objects.filter(is_canine=False).order_by("code")[:2])
        pledges = Pledge.objects.bulk_create(
            Pledge(request=requests[i % len(requests)], status="submitted", commander_name="Bench",
                   commander_contact="bench@example.org", submitted_at=dt.datetime.now(dt.UTC))
            for i in range(n)
        )  # fmt: skip
        lines = PledgeLine.objects.bulk_create(
            PledgeLine(pledge=p, specialty=s, officers_offered=10 + k, available_from=p.request.period_start,
                       available_to=p.request.period_end, languages=["en"])
            for p in pledges for k, s in enumerate(specialties)
        )  # fmt: skip
        by_pledge = {}
        for line in lines:
            by_pledge.setdefault(line.pledge_id, []).append((line.pk, line.officers_offered))
        return [(p.pk, by_pledge[p.pk]) for p in pledges]

    def placeholders(self) -> dict:
        return {
            "op": self.op.code, "country": self.country, "venue": self.venue.code, "venue_id": self.venue.pk,
            "day": self.day.isoformat(), "day_start": quote(self.day_start.isoformat()),
            "day_end": quote(self.day_end.isoformat()), "page_size": 50,
        }  # fmt: skip

    def floor_query(self) -> str:
        return (
            f"op={self.op.pk}&country={self.country}&venue={self.venue.code}"
            f"&day_start={quote(self.day_start.isoformat())}&day_end={quote(self.day_end.isoformat())}&page_size=50"
        )

    # write bodies
    def decide_pledge(self, i):
        pledge, lines = self.pledges_to_decide[i % len(self.pledges_to_decide)]
        body = {"decision_note": "Benchmark decision.", "k9_teams": [],
                "lines": [{"id": line, "officers_accepted": offered - (k % 2)} for k, (line, offered) in enumerate(lines)]}  # fmt: skip
        return {"id": pledge}, body

    def create_assignment(self, i):
        # Round the twenty biggest lines: requests in flight together mostly lock different lines,
        # and now and then the same one, as coordinators planning at the same moment would.
        line = self.lines[i % len(self.lines)]
        day = self.op.starts_on + dt.timedelta(days=7 + (i % 8) * 5 + (i // 160))
        zone = zoneinfo.ZoneInfo(self.op.timezone)
        starts = dt.datetime.combine(day, dt.time(10), zone)
        body = {"venue": self.venue.pk, "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=4)).isoformat(), "role": "Benchmark",
                "pledge_line": line, "quantity": 1}  # fmt: skip
        return {}, body

    def bulk_place(self, i):
        # One of 25 lines, one officer, 40 days, an early window, mode fit: the 25 timed requests place
        # 25 × 40 = 1,000 assignments, every rule checked on each (issue 14: within 3 s in all). The
        # probe and the warm-up use later windows of the same lines.
        line = self.bulk_lines[i % len(self.bulk_lines)]
        hour = 4 + (i // len(self.bulk_lines)) % 3
        body = {"pledge_line": line, "quantity": 1, "venue": self.venue.pk, "role": "Benchmark bulk",
                "from_time": f"{hour:02d}:00", "to_time": f"{hour:02d}:45", "from_date": self.bulk_from.isoformat(),
                "to_date": (self.bulk_from + dt.timedelta(days=self.bulk_days - 1)).isoformat(), "mode": "fit"}  # fmt: skip
        return {}, body


def headers_for(auth: str, fixtures: Fixtures) -> dict:
    headers = {"Host": "127.0.0.1", "Accept": "application/json, text/html"}
    if auth == "token":
        headers["Authorization"] = f"Token {fixtures.token}"
    else:
        headers["Cookie"] = fixtures.cookies[auth]
    return headers


def measure(port, row, fixtures, args):
    """Probe once; a 404 (or 405 on a write) makes the row 'missing'. Else warm up and run."""
    method = row.get("method", "GET")
    headers = headers_for(row.get("auth", "token"), fixtures)
    values = fixtures.placeholders()
    n = row.get("requests", args.requests)

    def make(i):
        if "body" in row:
            ids, body = getattr(fixtures, row["body"])(i)
            hdrs = {**headers, "Content-Type": "application/json"}
            return method, row["path"].format(**values, **ids), hdrs, json.dumps(body).encode()
        return method, row["path"].format(**values), headers, None

    conn = load.http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    probe_method, probe_path, probe_headers, probe_body = make(n)  # an extra input, not one of the run's
    status, _ms, _q, data = load.send(conn, probe_method, probe_path, probe_headers, probe_body)
    conn.close()
    if status in (404, 405):
        return {"status": "missing", "http": status}
    if status >= 500:
        return {"status": "error", "http": status, "detail": data[:300].decode(errors="replace")}
    # Warm-up, not timed: each worker's first request of a kind loads templates and opens the broker's
    # connection (~0.4 s). A write's warm-up posts inputs of its own, after the probe's.
    warm = (lambda i: make(n + 1 + i)) if "body" in row else make
    load.run("127.0.0.1", port, warm, clients=args.clients, requests=args.clients, duration_s=10)
    result = load.run("127.0.0.1", port, make, clients=args.clients, requests=n, duration_s=args.duration)
    return {"status": "ok", "result": result, "probe_http": status}


def measure_floor(port, row, fixtures, args):
    """The row's floor (bench/floor_app.py) under the same load: a read's statement, or for a write the same
    statements with the same bodies as the row's, fresh inputs (bench/floor_write.py)."""
    path = f"/_floor/{row['floor']}?{fixtures.floor_query()}"
    n = row.get("requests", args.requests)

    def make(i):
        if "body" not in row:
            return "GET", path, {"Host": "127.0.0.1"}, None
        _ids, body = getattr(fixtures, row["body"])(2 * n + 2 * args.clients + i)  # inputs the row did not use
        headers = {**headers_for(row.get("auth", "token"), fixtures), "Content-Type": "application/json"}
        return row.get("method", "GET"), path, headers, json.dumps(body).encode()

    load.run("127.0.0.1", port, make, clients=args.clients, requests=args.clients, duration_s=10)
    return load.run("127.0.0.1", port, make, clients=args.clients, requests=n, duration_s=args.duration)


def judge(row, outcome, floor):
    """Within budget? And if not, why (the issue's budgets: SPEC §9 'fast at scale')."""
    if outcome["status"] != "ok":
        return False, outcome["status"]
    r = outcome["result"]
    reasons = []
    # Every write input is valid (free capacity, a submitted pledge): a 409 is as wrong as a 500.
    errors = sum(v for k, v in r.statuses.items() if k not in (200, 201))
    if errors:
        reasons.append(f"{errors} errors {r.statuses}")
    p95 = r.percentile(95)
    if p95 is None or p95 > row["budget_ms"]:
        reasons.append(f"p95>{row['budget_ms']}ms")
    if row["kind"] in ("list", "page"):
        if floor and floor.n and p95 is not None and p95 > 3 * floor.percentile(95):
            reasons.append("p95>3x floor")
        if r.queries is not None and r.queries > 10:
            reasons.append("queries>10")
    if row.get("rules") and any(row["rules"].values()):
        reasons.append(f"rules broken {row['rules']}")
    return not reasons, "; ".join(reasons) or "ok"


def fmt(value, spec="6.1f"):
    return format(value, spec) if isinstance(value, (int, float)) else f"{'-':>6}"


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as cpuinfo:
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    return {"cpus": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version(),
            "load_average": os.getloadavg(), "platform": platform.platform()}  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150, help="requests per row (writes: from the table)")
    parser.add_argument("--duration", type=float, default=15, help="seconds at most per row")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--no-seed", action="store_true", help="reuse the loaded operation")
    parser.add_argument("--small", action="store_true", help="a small operation, to try the harness quickly")
    parser.add_argument("--only", action="append", default=[], help="rows whose name contains this")
    parser.add_argument("--endpoints", default=str(Path(__file__).with_name("endpoints.toml")))
    parser.add_argument("--output", default=str(Path(__file__).with_name("results.json")))
    args = parser.parse_args(argv)

    source = os.environ.get("DATABASE_URL")
    if not source:
        raise SystemExit("DATABASE_URL is unset: run through `make bench` (it starts the embedded services)")
    url = bench_database_url(source)
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(48),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false", "SITE_URL": "https://127.0.0.1", "BENCH": "1",
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"), "CONN_MAX_AGE": "600", "LOG_LEVEL": "ERROR"}  # fmt: skip
    os.environ.update(env)
    timings = {}
    print(f"bench database: {BENCH_DB}", flush=True)
    # DEBUG=false serves hashed static names: the manifest must exist before the URLconf loads.
    manage(env, "collectstatic", "--no-input", "-v", "0", "--skip-checks")
    timings["migrate_s"] = manage(env, "migrate", "--no-input", "-v", "0")
    if not args.no_seed:
        sizes = SMALL if args.small else []
        timings["seed_scale_s"] = manage(env, "seed_scale", "--replace", "--operation", args.operation, *sizes)
    rows = tomllib.loads(Path(args.endpoints).read_text())["endpoint"]
    rows = [r for r in rows if not args.only or any(o in r["name"] for o in args.only)]
    decisions = max([r.get("requests", args.requests) for r in rows if r.get("body") == "decide_pledge"] or [0])
    decisions += 1 + args.clients  # the probe, the warm-up
    fixtures = Fixtures(args.operation, decisions)
    from django.db import DatabaseError, connection

    try:  # the seed's dirty pages written now, not by a checkpoint in the middle of the timed writes
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
    except DatabaseError as exc:  # a role without pg_checkpoint: measure anyway
        print(f"no CHECKPOINT before the run: {exc}".strip(), file=sys.stderr)
    connection.close()

    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "server" / "gunicorn.py"),
         "bench.wsgi:application", "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}",
         "--log-level", "warning", "--timeout", "120"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    report = []
    try:
        wait_for_port(args.port, gunicorn)
        for row in rows:
            print(f"... {row['name']}", file=sys.stderr, flush=True)
            outcome = measure(args.port, row, fixtures, args)
            floor = measure_floor(args.port, row, fixtures, args) if row.get("floor") else None
            if floor is not None and "body" in row:  # the write floor's rows checked no rule: gone before the check
                floor_write.clean(connection)
            if row.get("body") == "create_assignment" and outcome["status"] == "ok":
                from demo.scale.checks import rule_violations

                row["rules"] = rule_violations(fixtures.op.pk)
            ok, why = judge(row, outcome, floor)
            report.append((row, outcome, floor, ok, why))
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    # Issue 19's rows, each in a process of its own: the board's streams on one uvicorn process, and
    # the change feed's pages 1 and 1,000.
    extra = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, measure_row in (("live board", board.row), ("feed paging", feed.row)):
            if not args.only or any(o in name for o in args.only):
                print(f"... {name}", file=sys.stderr, flush=True)
                extra.append(measure_row(env, args.operation, Path(scratch) / f"{name.replace(' ', '-')}.json"))
    # The planning rows (issue 15): in this process, once gunicorn is gone, against the same data.
    planned = planning.run(fixtures, args.only)

    header = (f"{'endpoint / page':<28} {'p50':>6} {'p95':>6} {'req/s':>6} {'SQL':>4} {'floor95':>7} {'ratio':>5} "
              f"{'budget':>6}  verdict")  # fmt: skip
    print()
    print(header)
    print("-" * len(header))
    results = []
    for row, outcome, floor, ok, why in report:
        r = outcome.get("result")
        fp95 = floor.percentile(95) if floor and floor.n else None
        p95 = r.percentile(95) if r else None
        ratio = p95 / fp95 if p95 and fp95 else None
        if outcome["status"] == "missing":
            why = f"missing (HTTP {outcome['http']} in this branch)"
        print(
            f"{row['name']:<28} {fmt(r.percentile(50) if r else None)} {fmt(p95)} {fmt(r.throughput if r else None)} "
            f"{fmt(r.queries if r else None, '4d')} {fmt(fp95, '7.1f')} {fmt(ratio, '5.1f')} {row['budget_ms']:>6}  "
            f"{'OK ' if ok else 'NO '} {why}"
        )
        results.append({
            "name": row["name"], "path": row["path"], "kind": row["kind"], "status": outcome["status"],
            "p50_ms": r.percentile(50) if r else None, "p95_ms": p95, "throughput_rps": r.throughput if r else None,
            "requests": r.n if r else 0, "http_statuses": r.statuses if r else None,
            "queries_per_request": r.queries if r else None, "floor_p95_ms": fp95, "ratio_to_floor": ratio,
            "floor_p50_ms": floor.percentile(50) if floor and floor.n else None,
            "floor_throughput_rps": floor.throughput if floor and floor.n else None,
            "budget_ms": row["budget_ms"], "rules": row.get("rules"), "within_budget": ok, "verdict": why,
        })  # fmt: skip
    for r in extra:  # p50 / p95: commit-to-screen for the board, page 1 / page 1,000 for the feed
        print(f"{r['name']:<28} {fmt(r.get('p50_ms'))} {fmt(r.get('p95_ms'))} {fmt(None)} "
              f"{fmt(r.get('queries_per_request'), '4d')} {fmt(None, '7.1f')} {fmt(r.get('ratio'), '5.1f')} "
              f"{r.get('budget', '-'):>6}  {'OK ' if r['within_budget'] else 'NO '} {r['verdict']}")  # fmt: skip
        results.append({**r, "status": "ok" if "detail" in r else "error"})
    planning.table(planned)
    results += planned
    within = (
        sum(1 for *_x, ok, _w in report if ok)
        + sum(1 for r in extra if r["within_budget"])
        + sum(1 for row in planned if row["within_budget"])
    )
    missing = sum(1 for _r, o, *_x in report if o["status"] == "missing")
    Path(args.output).write_text(
        json.dumps({"when": dt.datetime.now(dt.UTC).isoformat(), "machine": machine(), "clients": args.clients,
                    "gunicorn_workers": args.workers, "timings": timings, "rows": results}, indent=2, default=str)
    )  # fmt: skip
    print()
    print(f"results written to {args.output}")
    print(f"{within} of {len(report) + len(extra) + len(planned)} rows within budget ({missing} missing in this build)")


if __name__ == "__main__":
    main()

"""The live board under load (issue 19): `python -m bench.board [--operation paris-2024]
[--connections 200] [--changes 50] [--interval 0.2] [--json PATH]`.

One ASGI process serves the app as Procfile `sse` does (uvicorn, `config.asgi`, no access log),
against the database and Redis of the environment (DATABASE_URL, REDIS_URL). This process opens
`--connections` event streams (`/ops/<code>/events/`) at once as one coordinator (a session cookie),
on raw asyncio sockets, and reads them all; a thread commits `--changes` changes through the app's
transitions, one every `--interval` seconds: a coordinator's move of a planned or confirmed
assignment (its role), then its confirmation, in turn. Each commit's instant is taken by its first
on_commit callback, registered before the change: the moment COMMIT returned, before the board's own
callback publishes. Commit-to-screen, per connection and change: from that instant to the moment the
change's frame is read off that connection (the k-th change event on a connection is the k-th commit;
its pk is checked). The uvicorn process's resident memory (psutil) is sampled every 50 ms from
start to end: its peak is the row's memory. Budget (issue 19): p95 ≤ 2 s with 200 connections on one
process, and the process under 300 MB. `make bench` runs it as its `live board` row.

Needs an operation with a coordinator (`<op>-coordinator-1` after seed_scale, `coordinator` after
seed_demo) and at least one planned or confirmed assignment . Everything written is a
real change: the chosen assignments end confirmed, their role "Board bench <n>".
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BUDGET_P95_S = 2.0
BUDGET_RSS_MB = 300


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Setup:
    """The coordinator's session and the assignments to change, read through the ORM before any stream."""

    def __init__(self, op_code: str, username: str | None, assignments: int):
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import transaction
        from django.urls import reverse

        from deployments import transitions
        from deployments.models import Assignment
        from reinforcements.models import Operation, User

        self.op = Operation.objects.get(code=op_code)
        names = [username] if username else [f"{op_code}-coordinator-1", "coordinator"]
        self.user = User.objects.filter(username__in=names).order_by("username").first()
        if self.user is None:
            raise SystemExit(f"no coordinator among {names}: --user NAME")
        store = SessionStore()
        store[SESSION_KEY] = str(self.user.pk)
        store[BACKEND_SESSION_KEY] = "core.auth.ModelBackend"
        store[HASH_SESSION_KEY] = self.user.get_session_auth_hash()
        store.create()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
        self.path = reverse("board_events", args=[self.op.code])
        # Assignments a move leaves valid (the same venue and times): tried in a rolled-back transaction.
        candidates = Assignment.objects.filter(venue__operation=self.op, status__in=("planned", "confirmed")).order_by(
            "starts_at", "pk"
        )
        self.assignments = []
        for pk in candidates.values_list("pk", flat=True)[: assignments * 5]:
            with contextlib.suppress(Exception), transaction.atomic():
                transitions.move_assignment(pk, actor=self.user, role="Board bench probe")
                transaction.set_rollback(True)
                self.assignments.append(pk)
            if len(self.assignments) == assignments:
                break
        if not self.assignments:
            raise SystemExit(f"no planned or confirmed assignment in {op_code} that a move leaves valid")


def commit_changes(setup: Setup, changes: int, interval: float, commits: list) -> None:
    """In a thread: change i moves assignment i mod n (planned), change i + n confirms it, and so on.
    `commits` gets (pk, instant) per change, the instant taken right after COMMIT."""
    from django.db import connection, transaction

    from deployments import transitions

    n = len(setup.assignments)
    try:
        for i in range(changes):
            pk = setup.assignments[i % n]
            started = time.monotonic()
            with transaction.atomic():
                transaction.on_commit(lambda pk=pk: commits.append((pk, time.monotonic())))
                if (i // n) % 2 == 0:
                    transitions.move_assignment(pk, actor=setup.user, role=f"Board bench {i}")
                else:
                    transitions.confirm_assignment(pk, actor=setup.user)
            time.sleep(max(interval - (time.monotonic() - started), 0))
    finally:
        connection.close()


class Screen:
    """One board's event stream on a raw socket: HTTP/1.1, chunked, frames split at blank lines."""

    def __init__(self):
        self.received = []  # (pk, instant) per change event
        self.status = None
        self.opened = None

    async def run(self, port: int, path: str, cookie: str, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                f"Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            self.status = int(head.split(" ", 2)[1])
            if self.status != 200 or "transfer-encoding: chunked" not in head:
                return
            reading = asyncio.ensure_future(self._frames(reader))
            waiting = asyncio.ensure_future(stop.wait())
            await asyncio.wait({reading, waiting}, return_when=asyncio.FIRST_COMPLETED)
            for task in (reading, waiting):
                task.cancel()
        finally:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _frames(self, reader) -> None:
        buffer = b""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return
            buffer += (await reader.readexactly(size + 2))[:-2]
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                now = time.monotonic()
                if self.opened is None:
                    self.opened = now  # the first frame (`retry`): the stream is listening
                fields = dict(line.split(": ", 1) for line in frame.decode().split("\n") if ": " in line)
                if fields.get("event") == "change":
                    event = json.loads(fields["data"])
                    if event.get("kind") == "assignment":
                        self.received.append((event["pk"], now))


async def sample_rss(process: psutil.Process, samples: list, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(psutil.Error):
            samples.append(process.memory_info().rss)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)


async def drive(port, setup, args, server: psutil.Process) -> dict:
    stop, rss_stop, rss = asyncio.Event(), asyncio.Event(), []
    sampler = asyncio.ensure_future(sample_rss(server, rss, rss_stop))
    await asyncio.sleep(0.3)
    idle_mb = max(rss) / 2**20
    screens = [Screen() for _ in range(args.connections)]
    # One stream first: the process's first request imports the views and builds the URLconf.
    tasks = [asyncio.ensure_future(screens[0].run(port, setup.path, setup.cookie, stop))]
    while not (screens[0].opened or tasks[0].done()):
        await asyncio.sleep(0.05)
    one_mb = server.memory_info().rss / 2**20
    cpu_before = server.cpu_times()
    started = time.monotonic()
    tasks += [asyncio.ensure_future(s.run(port, setup.path, setup.cookie, stop)) for s in screens[1:]]
    deadline = started + 60
    while time.monotonic() < deadline and not all(s.opened or t.done() for s, t in zip(screens, tasks, strict=True)):
        await asyncio.sleep(0.05)
    open_s = time.monotonic() - started
    listening = sum(1 for s in screens if s.opened)
    open_mb, threads = server.memory_info().rss / 2**20, server.num_threads()
    commits = []
    await asyncio.to_thread(commit_changes, setup, args.changes, args.interval, commits)
    # The last events' time to arrive (well past the budget: what has not come by then is lost).
    await asyncio.sleep(BUDGET_P95_S * 2)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    rss_stop.set()
    await sampler
    cpu = server.cpu_times()
    delays, lost, wrong = [], 0, 0
    for screen in screens:
        if not screen.opened:
            continue
        for k, (pk, committed) in enumerate(commits):
            if k >= len(screen.received):
                lost += 1
            elif screen.received[k][0] != pk:
                wrong += 1
            else:
                delays.append(screen.received[k][1] - committed)
    statuses = {}
    for s in screens:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    return {
        "connections": args.connections, "listening": listening, "http_statuses": statuses,
        "open_all_s": round(open_s, 3), "changes": len(commits), "interval_s": args.interval,
        "deliveries": len(delays), "lost": lost, "out_of_order": wrong,
        "p50_ms": _ms(percentile(delays, 50)), "p95_ms": _ms(percentile(delays, 95)),
        "p99_ms": _ms(percentile(delays, 99)), "max_ms": _ms(max(delays) if delays else None),
        "rss_idle_mb": round(idle_mb, 1), "rss_one_stream_mb": round(one_mb, 1), "rss_open_mb": round(open_mb, 1),
        "rss_peak_mb": round(max(rss) / 2**20, 1), "threads_open": threads,
        "server_cpu_s": round(cpu.user + cpu.system - cpu_before.user - cpu_before.system, 2),
    }  # fmt: skip


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def judge(result: dict) -> tuple[bool, str]:
    reasons = []
    if result["listening"] < result["connections"]:
        reasons.append(f"{result['connections'] - result['listening']} streams not opened {result['http_statuses']}")
    if result["lost"] or result["out_of_order"]:
        reasons.append(f"{result['lost']} lost, {result['out_of_order']} out of order")
    if result["p95_ms"] is None or result["p95_ms"] > BUDGET_P95_S * 1000:
        reasons.append(f"p95>{BUDGET_P95_S:g}s")
    if result["rss_peak_mb"] > BUDGET_RSS_MB:
        reasons.append(f"RSS>{BUDGET_RSS_MB}MB")
    return not reasons, "; ".join(reasons) or "ok"


def row(env: dict, operation: str, output: Path) -> dict:
    """`make bench`'s row: this script in its own process, against the games-scale operation."""
    output.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "bench.board", "--operation", operation, "--json", str(output)],
                   env=env, cwd=ROOT, check=False)  # fmt: skip
    if not output.exists():
        return {"name": "live board (200 streams)", "kind": "stream", "within_budget": False, "verdict": "error"}
    result = json.loads(output.read_text())
    return {"name": f"live board ({result['connections']} streams)", "kind": "stream", "p50_ms": result["p50_ms"],
            "p95_ms": result["p95_ms"], "budget": int(BUDGET_P95_S * 1000), "detail": result,
            "within_budget": result["within_budget"],
            "verdict": f"{result['verdict']} (peak RSS {result['rss_peak_mb']} MB, {result['deliveries']} "
                       f"deliveries, {result['lost']} lost)"}  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", default="paris-2024")
    parser.add_argument("--user", help="the coordinator (default: <op>-coordinator-1, else coordinator)")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between commits")
    parser.add_argument("--assignments", type=int, default=10, help="assignments the changes go round")
    parser.add_argument("--json", help="write the result here too")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    setup = Setup(args.operation, args.user, args.assignments)
    connection.close()
    port = free_port()
    uvicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("uvicorn")), "config.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if uvicorn.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start; see the output above")
            time.sleep(0.1)
        result = asyncio.run(drive(port, setup, args, psutil.Process(uvicorn.pid)))
    finally:
        uvicorn.terminate()
        try:
            uvicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            uvicorn.kill()
            uvicorn.wait()
    ok, why = judge(result)
    result.update(within_budget=ok, verdict=why, load_average=os.getloadavg())
    print(
        f"live board: {result['listening']}/{result['connections']} streams open in {result['open_all_s']} s; "
        f"{result['changes']} commits, {result['deliveries']} deliveries ({result['lost']} lost); commit-to-screen "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms; uvicorn RSS idle "
        f"{result['rss_idle_mb']} MB, one stream {result['rss_one_stream_mb']} MB, all open {result['rss_open_mb']} MB, peak {result['rss_peak_mb']} MB; "
        f"uvicorn CPU {result['server_cpu_s']} s; load {' '.join(f'{x:.2f}' for x in result['load_average'])}; "
        f"{'OK' if ok else 'NO'} {why}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

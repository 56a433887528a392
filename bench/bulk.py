"""Bulk and single placement at Games scale (issue 14), in process (no HTTP): `python -m bench.bulk
[--operation games-scale] [--calls 25] [--days 40] [--singles 40] [--keep]`.

As the operation's first coordinator, at its busiest venue: `--calls` bulk placements
(deployments.bulk.place_on_days, mode fit, one officer, 40 days from the operation's second week) on as
many accepted lines serving through those days (the lines of the `POST bulk placement` bench row), each
committed; then `--singles` single placements (transitions.create_assignment) of those lines, each
committed, with their query count. Prints the wall time of each and the totals. What it placed is
deleted afterwards (assignments, their history and hook deliveries) unless `--keep`. Needs
`manage.py seed_scale`."""

import argparse
import datetime as dt
import os
import statistics
import time
import zoneinfo

MARK = "bench.bulk"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--singles", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="leave what was placed")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver

    from deployments import bulk, transitions
    from deployments.models import Assignment, Venue
    from pledges.models import PledgeLine
    from reinforcements.models import Operation, ReinforcementRequest, User

    op = Operation.objects.get(code=args.operation)
    actor = User.objects.get(username=f"{args.operation}-coordinator-1")
    busiest = (
        Assignment.objects.filter(venue__operation=op).values("venue").annotate(n=Count("id")).order_by("-n")[0]
    )["venue"]
    venue = Venue.objects.get(pk=busiest)
    first = op.starts_on + dt.timedelta(days=7)
    days = min(args.days, (op.ends_on - first).days + 1)
    last = first + dt.timedelta(days=days - 1)
    lines = list(
        PledgeLine.objects.filter(
            pledge__request__operation=op, pledge__status__in=("accepted", "partially_accepted"),
            available_from__lte=first, available_to__gte=last, withdrawn_at__isnull=True,
        ).exclude(pledge__request__status__in=ReinforcementRequest.ENDED_STATUSES).order_by("-officers_accepted", "pk")[: args.calls]
    )  # fmt: skip
    _ = get_resolver().reverse_dict  # the URLconf (a message's link), imported once per process: not timed
    try:
        print(f"{len(lines)} bulk placements of {days} days ({first} to {last}) at {venue.code}, mode fit:")
        placed = refused = 0
        times, cpu, db = [], time.process_time(), []
        for line in lines:
            start = time.perf_counter()
            with connection.execute_wrapper(_timer(db)):
                result = bulk.place_on_days(
                    actor=actor, venue=venue, role=MARK, pledge_line=line, quantity=1, from_time=dt.time(4),
                    to_time=dt.time(4, 45), from_date=first, to_date=last, mode=bulk.FIT,
                )  # fmt: skip
            times.append(time.perf_counter() - start)
            placed, refused = placed + len(result.placed), refused + len(result.refused)
            print(f"  line {line.pk} ({line.officers_accepted} officers): {times[-1] * 1000:.0f} ms")
        print(
            f"  total {sum(times):.2f} s for {placed} placed + {refused} refused; per call median "
            f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; this process's CPU "
            f"{time.process_time() - cpu:.2f} s, waiting on {len(db)} queries {sum(db):.2f} s"
        )
        zone = zoneinfo.ZoneInfo(op.timezone)
        times, counts, cpu, db = [], [], time.process_time(), []
        for i in range(args.singles):
            line = lines[i % len(lines)]
            day = first + dt.timedelta(days=i % days)
            starts = dt.datetime.combine(day, dt.time(5, 15), zone)
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(_timer(db)):
                start = time.perf_counter()
                transitions.create_assignment(
                    actor=actor, venue=venue, starts_at=starts, ends_at=starts + dt.timedelta(minutes=30),
                    role=MARK, pledge_line=line, quantity=1,
                )  # fmt: skip
                times.append(time.perf_counter() - start)
            counts.append(len(queries))
        times.sort()
        print(
            f"{args.singles} single placements: median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, queries {min(counts)}–{max(counts)} each; "
            f"this process's CPU {(time.process_time() - cpu) / len(times) * 1000:.1f} ms, waiting on queries "
            f"{sum(db) / len(times) * 1000:.1f} ms per placement"
        )
    finally:
        if not args.keep:
            _clean(connection)


def _timer(spent: list):
    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - start)

    return wrapper


def _clean(connection):
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM deployments_assignment WHERE role = %s", [MARK])
        ids = [row[0] for row in cur.fetchall()]
        cur.execute(
            "DELETE FROM notifications_webhookdelivery WHERE (payload->'object'->>'id')::bigint = ANY(%s) "
            "AND payload->'object'->>'type' = 'assignment'",
            [ids],
        )
        cur.execute("DELETE FROM deployments_historicalassignment WHERE id = ANY(%s)", [ids])
        cur.execute("DELETE FROM deployments_assignment WHERE id = ANY(%s)", [ids])
    print(f"removed the {len(ids)} assignments placed")


if __name__ == "__main__":
    main()

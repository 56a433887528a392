"""EXPLAIN ANALYZE of the key queries on the games-scale data: `python -m bench.explain [--plans]`.

The queries are the SQL the API and pages run (or will run) for their filters, written out
so the plans can be read without the views: a requests list by country, assignments of one
venue on one day, the capacity check `line_peak_load`, and the two coverage aggregations.
"""

import datetime as dt
import os
import re
import sys

from bench.sql import COUNTRY_COVERAGE_SQL, NEED_COVERAGE_GLOBAL_SQL, NEED_COVERAGE_SQL

OP = "games-scale"

QUERIES = {
    "requests by operation+country (list page)": (
        """SELECT r.*, o.code FROM reinforcements_reinforcementrequest r
           JOIN reinforcements_operation o ON o.id = r.operation_id
           WHERE o.code = %(code)s AND r.country = 'DE'
           ORDER BY r.operation_id, r.country, r.authority LIMIT 50""",
    ),
    "requests by operation+status count": (
        """SELECT COUNT(*) FROM reinforcements_reinforcementrequest r
           JOIN reinforcements_operation o ON o.id = r.operation_id
           WHERE o.code = %(code)s AND r.status = 'acknowledged'""",
    ),
    "pledges by operation, newest first (list page)": (
        """SELECT p.* FROM pledges_pledge p
           JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
           JOIN reinforcements_operation o ON o.id = r.operation_id
           WHERE o.code = %(code)s ORDER BY p.created_at DESC, p.id DESC LIMIT 50""",
    ),
    "pledges by request+status": (
        """SELECT p.* FROM pledges_pledge p WHERE p.request_id = %(request)s AND p.status = 'accepted'""",
    ),
    "assignments of a venue on a day (list page)": (
        """SELECT a.* FROM deployments_assignment a JOIN deployments_venue v ON v.id = a.venue_id
           WHERE v.operation_id = %(op)s AND v.code = 'v001'
             AND a.starts_at >= %(day)s::timestamptz AND a.ends_at <= %(day)s::timestamptz + interval '1 day'
           ORDER BY a.starts_at, a.id LIMIT 50""",
    ),
    "assignments of a venue on a day (count)": (
        """SELECT COUNT(*) FROM deployments_assignment a JOIN deployments_venue v ON v.id = a.venue_id
           WHERE v.operation_id = %(op)s AND v.code = 'v001'
             AND a.starts_at >= %(day)s::timestamptz AND a.ends_at <= %(day)s::timestamptz + interval '1 day'""",
    ),
    "assignments of the operation, first page (unfiltered list)": (
        """SELECT a.* FROM deployments_assignment a JOIN deployments_venue v ON v.id = a.venue_id
           WHERE v.operation_id = %(op)s ORDER BY a.starts_at, a.id LIMIT 50""",
    ),
    "assignments of a country (portal), first page": (
        """SELECT a.* FROM deployments_assignment a
           JOIN pledges_pledge p ON p.id = a.pledge_id
           JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
           WHERE r.country = 'DE' ORDER BY a.starts_at, a.id LIMIT 50""",
    ),
    "assignments of a pledge by status (withdrawal)": (
        """SELECT a.id FROM deployments_assignment a
           WHERE a.pledge_id = %(pledge)s AND a.status IN ('planned', 'confirmed', 'active')""",
    ),
    "needs of a venue in a window": (
        """SELECT n.* FROM deployments_venueneed n
           WHERE n.venue_id = %(venue)s AND n.starts_at < %(day)s::timestamptz + interval '1 day'
             AND n.ends_at > %(day)s::timestamptz ORDER BY n.starts_at""",
    ),
    "line_peak_load (capacity check, biggest line, an 8-hour shift)": ("PEAK8",),
    "line_peak_load (capacity check, biggest line, whole Games)": ("PEAK",),
    "app: coverage totals (deployments.queries, per-line running sums)": ("TOTALS",),
    "app: coverage of every need (deployments.queries, step function)": ("NEEDS",),
    "app: need grid of one venue-day (deployments.queries, planner/dashboard)": ("GRID",),
    "app: officers free per line on a day (deployments.queries, planner)": ("FREE",),
    "app: hour-by-hour cover of one venue-day (deployments.queries, planner)": ("HOURS",),
    "app: conflicts, duty (deployments.conflicts_sql, whole operation)": ("CONFLICTS0",),
    "app: conflicts, rest and travel (one pass over the teams')": ("CONFLICTS1",),
    "app: conflicts, certification and K9 readiness": ("CONFLICTS2",),
    "app: conflicts, what needs ask (language, legal status)": ("CONFLICTS3",),
    "coverage by country (requested/pledged/accepted/assigned)": (COUNTRY_COVERAGE_SQL,),
    "coverage by venue need, per need via GiST (MIN concurrent, window functions)": (NEED_COVERAGE_SQL,),
    "coverage by venue need, one global pass (MIN concurrent, window functions)": (NEED_COVERAGE_GLOBAL_SQL,),
}


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from deployments import conflicts_sql, queries
    from deployments.conflicts import query_params
    from deployments.queries import _LINE_PEAK_SQL
    from reinforcements.models import Operation

    show_plans = "--plans" in argv
    only = [a for a in argv[1:] if not a.startswith("--")]
    with connection.cursor() as cur:
        # JIT compilation costs more than it saves on these short queries (seen: +1.3 s on coverage).
        cur.execute("SET jit = off")
        cur.execute("SELECT id FROM reinforcements_operation WHERE code = %s", [OP])
        row = cur.fetchone()
        if not row:
            sys.exit(f"no operation {OP}: run manage.py seed_scale first")
        (op,) = row
        cur.execute(
            """SELECT l.id, l.pledge_id, p.request_id FROM pledges_pledgeline l JOIN pledges_pledge p ON p.id = l.pledge_id
               JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
               WHERE r.operation_id = %s ORDER BY l.officers_accepted DESC LIMIT 1""",
            [op],
        )
        line, pledge, request = cur.fetchone()
        cur.execute("SELECT id FROM deployments_venue WHERE operation_id = %s AND code = 'v001'", [op])
        (venue,) = cur.fetchone()
        params = {"op": op, "code": OP, "day": "2024-08-01T00:00:00+02:00", "line": line, "pledge": pledge,
                  "request": request, "venue": venue, "exclude": 0,
                  "starts": "2024-07-08T00:00:00+02:00", "ends": "2024-09-02T00:00:00+02:00"}  # fmt: skip
        conflict_params = query_params(Operation.objects.get(pk=op), None, None, None)
        results = []
        for name, (sql,) in QUERIES.items():
            if only and not any(o in name for o in only):
                continue
            run_params = params
            if sql == "PEAK8":
                run_params = {**params, "starts": "2024-08-01T08:00:00+02:00", "ends": "2024-08-01T16:00:00+02:00"}
            if sql == "TOTALS":
                run_params = {**params, "country": None}
                sql = queries._COVERAGE_COUNTS_SQL
            elif sql == "NEEDS":
                run_params = {**params, "operation": op, "venue": None, "starts": None, "ends": None, "country": None}
                sql = queries._NEED_COVERAGE_SQL
            elif sql in ("GRID", "FREE"):
                run_params = {**params, "operation": op, "day": "2024-08-01", "starts": "2024-08-01T00:00:00+02:00",
                              "ends": "2024-08-02T00:00:00+02:00", "country": None}  # fmt: skip
                sql = queries._NEED_COVERAGE_SQL if sql == "GRID" else queries._PLANNER_LINES_SQL
            elif sql == "HOURS":
                day = dt.datetime(2024, 8, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
                hours = [day + dt.timedelta(hours=h) for h in range(25)]
                run_params = {**params, "starts": hours[0], "ends": hours[-1], "country": None,
                              "hour_starts": hours[:-1], "hour_ends": hours[1:]}  # fmt: skip
                sql = queries._HOUR_COVERAGE_SQL
            elif sql.startswith("CONFLICTS"):
                run_params = conflict_params
                sql = conflicts_sql.STATEMENTS[int(sql[-1])][0]
            sql = _LINE_PEAK_SQL if sql.startswith("PEAK") else sql
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) " + sql, run_params)  # warm the cache once
            best, plan = None, None
            for _ in range(3):
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) " + sql, run_params)
                lines = [r[0] for r in cur.fetchall()]
                ms = float(re.search(r"Execution Time: ([\d.]+)", lines[-1]).group(1))
                if best is None or ms < best:
                    best, plan = ms, lines
            results.append((name, best, plan))
            print(f"{best:9.2f} ms  {name}")
            if show_plans:
                print("\n".join("            " + line for line in plan))
    return results


if __name__ == "__main__":
    main(sys.argv)

"""Paging the change feed through the assignments of the games-scale operation (issue 19):
`python -m bench.feed [--operation games-scale] [--page-size 200] [--walk]`.

In process (the API's whole stack, no HTTP server), as the operation's first coordinator. For pages
1, 10, 100, 1,000 and the last one of the feed (`updated_after` long ago), the cursor a client holds
there is read from the table (what following `next` would give), then that page is fetched three
times: best wall time, and the database's time for its queries. Offset paging (`?page=N`) is timed at
the same depths for comparison. `--walk` follows `next` from the first page to the end instead, and
checks that every assignment came exactly once (1,250 pages: minutes). Needs `manage.py seed_scale`.
`--json PATH` writes the depths' figures and the verdict there too. `make bench` runs it as its
`feed paging` row (`row()`): page 1,000 must cost what page 1 does, the same queries and a time within
2x page 1's + 20 ms (best of three; wall times on a shared machine wander)."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def timed(client, url, params=None):
    from django.db import connection, reset_queries

    reset_queries()
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:500]
    db = sum(float(q["time"]) for q in connection.queries) * 1000
    return response.json(), elapsed, db, len(connection.queries)


def best(client, url, params):
    runs = [timed(client, url, params) for _ in range(3)]
    # Queries of the last run: the process's first request also reads what it then caches.
    return min(r[1] for r in runs), min(r[2] for r in runs), runs[-1][3], runs[0][0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--walk", action="store_true")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from core.api.feed import encode_cursor
    from deployments.models import Assignment
    from reinforcements.models import User

    settings.ALLOWED_HOSTS = ["*"]
    connection.force_debug_cursor = True  # count and time queries without DEBUG's other costs
    client = APIClient()
    client.force_authenticate(User.objects.get(username=f"{args.operation}-coordinator-1"))
    url, size, op = "/api/v1/assignments/", args.page_size, args.operation
    rows = Assignment.objects.filter(venue__operation__code=op).order_by("updated_at", "id")
    total = rows.count()
    last = (total + size - 1) // size
    stamps = Assignment.objects.filter(venue__operation__code=op).values("updated_at").distinct().count()
    print(f"assignments {total:,}; pages of {size}: {last:,}; distinct updated_at values: {stamps:,}")
    start = {"operation": op, "updated_after": "2000-01-01T00:00:00Z", "page_size": size}

    if args.walk:
        seen, body = [], timed(client, url, start)[0]
        while True:
            seen += [row["id"] for row in body["results"]]
            if body["next"] is None:
                break
            body = timed(client, body["next"])[0]
        print(
            f"walked: {len(seen):,} rows, {len(set(seen)):,} distinct, every one once: {len(seen) == len(set(seen)) == total}"
        )

    depths = []
    print(f"{'page':>6} | {'feed ms':>8} {'feed db ms':>10} {'queries':>7} | {'offset ms':>9} {'offset db ms':>12}")
    for n in sorted({1, 10, 100, 1000, last}):
        if n > last:
            continue
        if n == 1:
            params = start
        else:
            at = rows.values_list("updated_at", "id")[(n - 1) * size - 1]  # the previous page's last row
            params = {"operation": op, "cursor": encode_cursor(*at), "page_size": size}
        feed_ms, feed_db, queries, body = best(client, url, params)
        assert len(body["results"]) == min(size, total - (n - 1) * size)
        offset_ms, offset_db, _q, _body = best(client, url, {"operation": op, "page": n, "page_size": size})
        print(f"{n:>6} | {feed_ms:8.1f} {feed_db:10.1f} {queries:>7} | {offset_ms:9.1f} {offset_db:12.1f}")
        depths.append({"page": n, "feed_ms": round(feed_ms, 1), "feed_db_ms": round(feed_db, 1), "queries": queries,
                       "offset_ms": round(offset_ms, 1), "offset_db_ms": round(offset_db, 1)})  # fmt: skip
    ok, why = judge(depths)
    print(f"page 1,000 against page 1: {'OK' if ok else 'NO'} {why}")
    if args.json:
        Path(args.json).write_text(json.dumps({"assignments": total, "page_size": size, "pages": last,
                                               "depths": depths, "within_budget": ok, "verdict": why}, indent=2))  # fmt: skip
    return 0


def judge(depths: list[dict]) -> tuple[bool, str]:
    by_page = {d["page"]: d for d in depths}
    first, deep = by_page.get(1), by_page.get(1000)
    if first is None or deep is None:
        return False, "fewer than 1,000 pages (seed_scale's full size has 1,250)"
    reasons = []
    if deep["queries"] > first["queries"]:
        reasons.append(f"{deep['queries']} queries at page 1,000, {first['queries']} at page 1")
    if deep["feed_ms"] > 2 * first["feed_ms"] + 20:
        reasons.append(f"page 1,000 {deep['feed_ms']} ms > 2x page 1 ({first['feed_ms']} ms) + 20")
    return not reasons, "; ".join(reasons) or "ok"


def row(env: dict, operation: str, output: Path) -> dict:
    """`make bench`'s row: this script in its own process (its query timing stays out of the others')."""
    subprocess.run([sys.executable, "-m", "bench.feed", "--operation", operation, "--json", str(output)],
                   env=env, cwd=Path(__file__).resolve().parent.parent, check=True)  # fmt: skip
    result = json.loads(output.read_text())
    by_page = {d["page"]: d for d in result["depths"]}
    first, deep = by_page.get(1, {}), by_page.get(1000, {})
    ratio = deep["feed_ms"] / first["feed_ms"] if first.get("feed_ms") and deep.get("feed_ms") else None
    return {"name": "feed paging (p1 / p1,000)", "kind": "feed", "p50_ms": first.get("feed_ms"),
            "p95_ms": deep.get("feed_ms"), "queries_per_request": first.get("queries"), "ratio": ratio,
            "budget": "same", "detail": result, "within_budget": result["within_budget"],
            "verdict": f"{result['verdict']} (db {first.get('feed_db_ms')} / {deep.get('feed_db_ms')} ms; "
                       f"offset paging {first.get('offset_ms')} / {deep.get('offset_ms')} ms)"}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

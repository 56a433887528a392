"""Paging the change feed through the assignments of the games-scale operation (issue 19):
`python -m bench.feed [--operation games-scale] [--page-size 200] [--walk]`.

In process (the API's whole stack, no HTTP server), as the operation's first coordinator. For pages
1, 10, 100, 1,000 and the last one of the feed (`updated_after` long ago), the cursor a client holds
there is read from the table (what following `next` would give), then that page is fetched three
times: best wall time, and the database's time for its queries. Offset paging (`?page=N`) is timed at
the same depths for comparison. `--walk` follows `next` from the first page to the end instead, and
checks that every assignment came exactly once (1,250 pages: minutes). Needs `manage.py seed_scale`."""

import argparse
import os
import sys
import time


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
    return min(r[1] for r in runs), min(r[2] for r in runs), runs[0][3], runs[0][0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--walk", action="store_true")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())

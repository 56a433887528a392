"""Paging the change feed through every assignment of the games-scale operation (issue 19):
`python -m bench.feed [--operation games-scale] [--page-size 200] [--compare-offset]`.

In process (the API's whole stack, no HTTP server), as the operation's first coordinator: follows
`next` from `updated_after=<long ago>` to the end, timing every page and counting its queries, then
checks that every assignment came exactly once. With `--compare-offset`, also times `?page=N` of the
offset paging at the same depths. Run against a database loaded by `manage.py seed_scale`."""

import argparse
import os
import statistics
import sys
import time


def timed(client, url, params=None):
    from django.db import connection, reset_queries

    reset_queries()
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:500]
    return response.json(), elapsed, len(connection.queries)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--compare-offset", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from deployments.models import Assignment
    from reinforcements.models import User

    settings.ALLOWED_HOSTS = ["*"]
    connection.force_debug_cursor = True  # count queries without DEBUG's other costs
    client = APIClient()
    client.force_authenticate(User.objects.get(username=f"{args.operation}-coordinator-1"))
    url = "/api/v1/assignments/"
    total = Assignment.objects.filter(pledge__request__operation__code=args.operation).count()

    pages, seen = [], []
    params = {"operation": args.operation, "updated_after": "2000-01-01T00:00:00Z", "page_size": args.page_size}
    body, ms, queries = timed(client, url, params)
    while True:
        pages.append((ms, queries))
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            break
        body, ms, queries = timed(client, body["next"])

    def at(n):
        return pages[n - 1] if n <= len(pages) else None

    print(f"assignments {total:,}, feed pages of {args.page_size}: {len(pages):,}")
    print(f"every assignment exactly once: {len(seen) == len(set(seen)) == total} ({len(set(seen)):,} distinct)")
    for n in (1, 2, 10, 100, 500, 1000, len(pages)):
        if at(n):
            print(f"  feed page {n:>5}: {at(n)[0]:7.1f} ms, {at(n)[1]} queries")
    times = sorted(ms for ms, _q in pages)
    print(
        f"  feed all pages: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms, "
        f"max {times[-1]:.1f} ms, total {sum(times) / 1000:.1f} s"
    )
    if args.compare_offset:
        for n in (1, 10, 100, 1000):
            if n <= len(pages):
                best = min(
                    timed(client, url, {"operation": args.operation, "page": n, "page_size": args.page_size})[1]
                    for _ in range(3)
                )
                print(f"  offset page {n:>5}: {best:7.1f} ms (best of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

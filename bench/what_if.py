"""Time a what-if on the games-scale data (issue 15: without repair, <= 2 s):
`python -m bench.what_if [--operation games-scale] [--country DE] [--from ISO] [--repeat 3] [--repair]`.

Calls the service the API calls (deployments.what_if.what_if) against the database of DATABASE_URL, one
client, after `manage.py seed_scale`; prints each run's seconds and the answer's size. The first run
computes the cover now too; later ones find it cached (core/freshness.py), as the API does between
changes: both are printed. `--repair` also computes the repair, as the first coordinator."""

import argparse
import datetime as dt
import os
import sys
import time


def measure(operation, country: str, repeat: int = 3, starts=None, *, repair=False, actor=None) -> dict:
    """`repeat` what-ifs withdrawing `country`: the first computes the cover now too, the others find it
    cached (as the API does between changes). Seconds of each, the answer's summary, the last repair."""
    from deployments.what_if import Change, what_if

    change = Change("withdraw_country", country, starts)
    runs, summary, repaired = [], {}, None
    for _run in range(repeat):
        started = time.perf_counter()
        answer = what_if(operation, [change], repair=repair, actor=actor)
        runs.append(round(time.perf_counter() - started, 2))
        summary = {**answer["summary"], "needs_changed": len(answer["by_venue"])}
        repaired = answer.get("repair")
    return {"runs": runs, "summary": summary, "repair": repaired}


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from reinforcements.models import Operation

    parser = argparse.ArgumentParser(prog="python -m bench.what_if")
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--country", default="DE")
    parser.add_argument("--from", dest="starts", type=dt.datetime.fromisoformat, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repair", action="store_true", help="also the repair (as the first coordinator)")
    args = parser.parse_args(argv)
    actor = None
    if args.repair:
        from django.contrib.auth import get_user_model

        from core.roles import COORDINATORS

        coordinators = get_user_model().objects.filter(groups__name=COORDINATORS, is_active=True)
        actor = coordinators.order_by("pk").first()
        if actor is None:
            parser.error("--repair needs a coordinator in the database")
    operation = Operation.objects.get(code=args.operation)
    got = measure(operation, args.country, args.repeat, args.starts, repair=args.repair, actor=actor)
    summary = got["summary"]
    for run, seconds in enumerate(got["runs"], start=1):
        print(f"run {run}: {seconds:.2f} s (load {os.getloadavg()[0]:.1f})")
    print(
        f"{summary['needs_changed']} needs changed, {summary['needs_newly_short']} newly short, "
        f"{summary['officer_hours_lost']} officer-hours lost, {summary['assignments_lost']} assignments lost, "
        f"{summary['assignments_cut']} cut"
    )
    repair = got["repair"]
    if repair:
        placed = sum(len(v["assignments"]) for c in repair["by_country"] for v in c["venues"])
        print(
            f"repair: {repair['scope']} — {placed} assignments, {repair['officer_hours']} of "
            f"{repair['gap_officer_hours']} officer-hours, {len(repair['uncovered'])} needs uncovered, "
            f"{repair['needs_left_out']} left out"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

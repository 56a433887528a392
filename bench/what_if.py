"""Time a what-if on the games-scale data (issue 15: without repair, <= 2 s; with `--repair`, the proposal
that would recover the needs that fall short too, "within a few seconds"):
`python -m bench.what_if [--operation games-scale] [--country DE] [--from ISO] [--repeat 3] [--repair]`.

Calls the service the API calls (deployments.what_if.what_if) against the database of DATABASE_URL, one
client, after `manage.py seed_scale`; prints each run's seconds and the answer's size. The first run
computes the cover now too; later ones find it cached (core/freshness.py), as the API does between
changes: both are printed."""

import argparse
import datetime as dt
import os
import sys
import time


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from deployments.what_if import Change, what_if
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
    change = Change("withdraw_country", args.country, args.starts)
    for run in range(args.repeat):
        started = time.perf_counter()
        answer = what_if(operation, [change], repair=args.repair, actor=actor)
        seconds = time.perf_counter() - started
        summary = answer["summary"]
        print(
            f"run {run + 1}: {seconds:.2f} s — {len(answer['by_venue'])} needs changed, "
            f"{summary['needs_newly_short']} newly short, {summary['officer_hours_lost']} officer-hours lost, "
            f"{summary['assignments_lost']} assignments lost, {summary['assignments_cut']} cut"
        )
        if answer["repair"]:
            repair = answer["repair"]
            print(
                f"  repair: {repair['scope']} — {sum(len(v['assignments']) for c in repair['by_country'] for v in c['venues'])}"
                f" assignments, {repair['officer_hours']} of {repair['gap_officer_hours']} officer-hours, "
                f"{len(repair['uncovered'])} needs uncovered, {repair['needs_left_out']} left out"
            )


if __name__ == "__main__":
    main(sys.argv[1:])

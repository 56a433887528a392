"""Time and quality of one proposal on the games-scale data (issue 15): `python -m bench.proposal [--day
2024-07-27] [--venue CODE] [--whole] [--apply]` against the database of DATABASE_URL, seeded by `manage.py
seed_scale`. Prints the seconds, the officer-hours missing, covered, the upper bound computed in the same
run (deployments.proposal_bound) and the ratio; with --apply, applies it through the rule engine and counts
the rule violations after over the whole operation (demo/scale/checks.py rule_violations and
deployments.conflicts), then rolls everything back. Writes nothing (the proposal row is deleted after)."""

import argparse
import datetime as dt
import os
import time

import django


def measure(operation, day=None, venue=None, apply=False) -> dict:
    """One proposal over the scope: its figures, and with `apply` the violations after applying it."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from demo.scale.checks import rule_violations
    from deployments.conflicts import conflicts
    from deployments.models import Proposal
    from deployments.proposals import LIFETIME, apply_proposal, run_proposal
    from deployments.transitions import start_proposal

    actor = get_user_model().objects.get(username=f"{operation.code}-coordinator-1")
    proposal = start_proposal(actor=actor, operation=operation, expires_at=timezone.now() + LIFETIME, venue=venue,
                              from_date=day, to_date=day)  # fmt: skip
    started = time.monotonic()
    proposal = run_proposal(proposal.pk)
    out = {"seconds": round(time.monotonic() - started, 2), "status": proposal.status, "error": proposal.error}
    result = proposal.result or {}
    out |= {"stats": result.get("stats", {}), "assignments": len(result.get("assignments", [])),
            "uncovered": len(result.get("uncovered", []))}  # fmt: skip
    if apply and proposal.status == Proposal.Status.READY:
        with transaction.atomic():
            applying = time.monotonic()
            placed = apply_proposal(proposal.pk, actor=actor)
            out["apply_seconds"] = round(time.monotonic() - applying, 2)
            out["placed"] = len(placed)
            violations = rule_violations(operation.pk)
            out["violations"] = {code: n for code, n in violations.items() if n}
            out["conflicts"] = len(conflicts(operation))
            transaction.set_rollback(True)
    Proposal.objects.filter(pk=proposal.pk).delete()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--day", default="2024-07-27")
    parser.add_argument("--venue", default=None)
    parser.add_argument("--whole", action="store_true", help="the whole operation, not one day")
    parser.add_argument("--apply", action="store_true", help="apply it, count the violations, roll back")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from deployments.models import Venue
    from reinforcements.models import Operation

    operation = Operation.objects.get(code=args.operation)
    day = None if args.whole else dt.date.fromisoformat(args.day)
    venue = Venue.objects.get(operation=operation, code=args.venue) if args.venue else None
    out = measure(operation, day, venue, apply=args.apply)
    stats = out["stats"]
    print(f"scope: {args.venue or 'every venue'}, {day or 'every day'}; load {os.getloadavg()[0]:.1f}; status "
          f"{out['status']} {out['error']}")  # fmt: skip
    print(f"seconds: {out['seconds']:.2f} (solver {stats.get('status')}, {stats.get('solver_seconds')} s in CP-SAT, "
          f"slowest day {stats.get('day_seconds_max')} s; phases {stats.get('phases')})")  # fmt: skip
    print(f"pairs admitted {stats.get('pairs')}, candidates {stats.get('candidates')}, days {stats.get('days')}")
    print(
        f"officer-hours missing {stats.get('gap_officer_hours')}, covered {stats.get('covered_officer_hours')}, "
        f"upper bound {stats.get('bound_officer_hours')} -> quality {stats.get('quality')}; "
        f"sum of the days' CP-SAT bounds {stats.get('bound_minutes', 0) / 60:.1f}; "
        f"dropped by the check {len(stats.get('dropped', []))}"
    )
    print(f"uncovered needs {out['uncovered']}; assignments {out['assignments']}")
    if "placed" in out:
        print(f"applied {out['placed']} in {out['apply_seconds']} s; rule violations after {out['violations'] or 0}, "
              f"conflicts after {out['conflicts']} (rolled back)")  # fmt: skip


if __name__ == "__main__":
    main()

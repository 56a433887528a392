"""Time and quality of one proposal on the games-scale data (issue 15): `python -m bench.proposal [--day
2024-07-27] [--venue CODE]` against the database of DATABASE_URL, seeded by `manage.py seed_scale`. Prints
the seconds, the officer-hours missing, covered, the solver's bound and the ratio; writes nothing (the
proposal row is deleted after)."""

import argparse
import datetime as dt
import os
import time

import django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--operation", default="games-scale")
    parser.add_argument("--day", default="2024-07-27")
    parser.add_argument("--venue", default=None)
    parser.add_argument("--whole", action="store_true", help="the whole operation, not one day")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from deployments.models import Proposal, Venue
    from deployments.proposals import LIFETIME, run_proposal
    from deployments.transitions import start_proposal
    from reinforcements.models import Operation

    operation = Operation.objects.get(code=args.operation)
    actor = get_user_model().objects.get(username=f"{operation.code}-coordinator-1")
    day = None if args.whole else dt.date.fromisoformat(args.day)
    venue = Venue.objects.get(operation=operation, code=args.venue) if args.venue else None
    proposal = start_proposal(actor=actor, operation=operation, expires_at=timezone.now() + LIFETIME, venue=venue,
                              from_date=day, to_date=day)  # fmt: skip
    started = time.monotonic()
    proposal = run_proposal(proposal.pk)
    seconds = time.monotonic() - started
    stats = proposal.result["stats"]
    bound_hours = stats.get("bound_minutes", 0) / 60
    covered = stats["covered_officer_hours"]
    print(f"scope: {args.venue or 'every venue'}, {day or 'every day'}; status {proposal.status} {proposal.error}")
    print(f"seconds: {seconds:.2f} (solver {stats.get('status')}; phases {stats['phases']})")
    print(f"needs short: {len(proposal.result['coverage_before'])} rows in scope, candidates {stats['candidates']}")
    print(
        f"officer-hours missing {stats['gap_officer_hours']}, covered {covered}, CP-SAT bound {bound_hours:.1f}"
        f" -> ratio {covered / bound_hours if bound_hours else 1:.3f}; dropped by the re-check {len(stats['dropped'])}"
    )
    print(f"uncovered needs {len(proposal.result['uncovered'])}; assignments {len(proposal.result['assignments'])}")
    Proposal.objects.filter(pk=proposal.pk).delete()


if __name__ == "__main__":
    main()

"""One process of tests/trust/test_races.py, with its own database connection.

    python -m tests.trust.race_worker '<json job>'

Waits for the job's `start_at` (so every process starts at once), makes its attempts and
prints a JSON count of outcomes. Anything but a domain refusal is reported as `unexpected`.
"""

import datetime as dt
import json
import os
import random
import sys
import time
import zoneinfo
from collections import Counter

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _window(rng: random.Random) -> tuple[dt.datetime, dt.datetime]:
    # Mostly inside the line's availability (10 July - 20 August), on two crowded days;
    # sometimes outside it, to mix refusals of another rule into the race.
    day = rng.choice([26, 26, 26, 27, 27, 5])
    start = dt.datetime(2024, 7, day, rng.randint(6, 20), rng.choice([0, 30]), tzinfo=PARIS)
    return start, start + dt.timedelta(hours=rng.randint(1, 6))


def place(job, rng, actor, venue, line_id, team_id):
    from deployments.models import Assignment
    from deployments.transitions import cancel_assignment, create_assignment, move_assignment

    roll = rng.random()
    starts_at, ends_at = _window(rng)
    if roll < 0.5:
        create_assignment(
            actor=actor, venue=venue, starts_at=starts_at, ends_at=ends_at, pledge_line=line_id,
            quantity=rng.randint(1, 4), role="race",
        )  # fmt: skip
        return "line_placed"
    if roll < 0.85:
        create_assignment(actor=actor, venue=venue, starts_at=starts_at, ends_at=ends_at, k9_team=team_id, role="race")
        return "team_placed"
    open_ids = list(
        Assignment.objects.filter(venue=venue).exclude(status="cancelled").values_list("pk", flat=True)[:50]
    )
    if not open_ids:
        return "nothing_to_move"
    if roll < 0.95:
        move_assignment(rng.choice(open_ids), actor=actor, starts_at=starts_at, ends_at=ends_at)
        return "moved"
    cancel_assignment(rng.choice(open_ids), actor=actor, reason="race")
    return "cancelled"


def insert_raw(job, rng, venue, team_id):
    """Straight to the table, past every lock and Python check: only the exclusion constraint stands.

    Two such inserts of overlapping times can each wait for the other's constraint check;
    PostgreSQL then aborts one of them (deadlock detected). Either way nothing overlapping stays.
    """
    from django.db import IntegrityError, OperationalError, transaction

    from deployments.models import Assignment
    from pledges.models import K9Team

    team = K9Team.objects.select_related("pledge").get(pk=team_id)
    starts_at, ends_at = _window(rng)
    try:
        with transaction.atomic():
            Assignment.objects.create(
                pledge=team.pledge, k9_team=team, venue=venue, starts_at=starts_at, ends_at=ends_at, role="raw"
            )
    except IntegrityError as exc:
        if "deployments_assignment_k9_no_overlap" not in str(exc):
            raise
        return "refused_by_constraint"
    except OperationalError as exc:
        if "deadlock detected" not in str(exc):
            raise
        return "aborted_by_deadlock"
    return "placed"


def decide(job, actor):
    from pledges.models import PledgeLine
    from pledges.transitions import decide_pledge

    for pledge_id in job["pledges"]:
        lines = dict.fromkeys(PledgeLine.objects.filter(pledge_id=pledge_id).values_list("pk", flat=True), 1)
        try:
            decide_pledge(pledge_id, actor=actor, decision_note=f"by {actor.username}", lines=lines, k9_teams={})
            yield "decided"
        except Exception as exc:
            yield type(exc).__name__


def main(argv):
    job = json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError

    from core.errors import DomainError
    from deployments.models import Venue

    actor = get_user_model().objects.get(pk=job["actor"])
    outcomes = Counter()
    while time.time() < job["start_at"]:
        time.sleep(0.002)
    if job["kind"] == "decide":
        outcomes.update(decide(job, actor))
    else:
        rng = random.Random(job["seed"])
        venue = Venue.objects.get(pk=job["venue"])
        for _ in range(job["attempts"]):
            try:
                if job["kind"] == "raw":
                    outcomes[insert_raw(job, rng, venue, job["team"])] += 1
                else:
                    outcomes[place(job, rng, actor, venue, job["line"], job["team"])] += 1
            except (DomainError, ValidationError, PermissionDenied) as exc:
                outcomes[f"refused:{getattr(exc, 'code', type(exc).__name__)}"] += 1
            except Exception as exc:
                outcomes[f"unexpected:{type(exc).__name__}: {exc}"] += 1
    print(json.dumps(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

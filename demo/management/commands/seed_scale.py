"""Load a whole Games (SPEC §9) as one operation, for benchmarks: `manage.py seed_scale [--replace]`."""

import datetime as dt
import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import freshness
from demo.scale.checks import rule_violations
from demo.scale.copier import Progress
from demo.scale.removal import analyze, drop_operation
from demo.scale.seeder import ScaleSeeder
from demo.scale.sizes import Sizes
from reinforcements.models import Operation


class Command(BaseCommand):
    help = "Load a games-scale operation (150 countries, 50,000 officers, 250,000 assignments...) with COPY."

    def add_arguments(self, parser):
        d = Sizes()
        parser.add_argument("--operation", default="games-scale", help="operation code (default games-scale)")
        parser.add_argument("--countries", type=int, default=d.countries)
        parser.add_argument("--venues", type=int, default=d.venues)
        parser.add_argument("--officers", type=int, default=d.officers, help="accepted officers in all")
        parser.add_argument("--k9-teams", type=int, default=d.k9_teams)
        parser.add_argument("--assignments", type=int, default=d.assignments)
        parser.add_argument("--needs", type=int, default=d.needs, help="venue needs")
        parser.add_argument("--notifications", type=int, default=d.notifications)
        parser.add_argument("--seed", type=int, default=d.seed, help="random seed: same seed, same data")
        parser.add_argument("--first-day", type=dt.date.fromisoformat, default=d.first_day,
                            help="first of the six weeks of assignments (YYYY-MM-DD)")  # fmt: skip
        parser.add_argument("--replace", action="store_true", help="drop the operation first if it exists")
        parser.add_argument("--check", action="store_true", help="verify every SPEC §5 rule in SQL afterwards")

    def handle(self, *args, **opts):
        code = opts["operation"]
        sizes = Sizes(
            countries=opts["countries"], venues=opts["venues"], officers=opts["officers"],
            k9_teams=opts["k9_teams"], assignments=opts["assignments"], needs=opts["needs"],
            notifications=opts["notifications"], seed=opts["seed"], first_day=opts["first_day"],
        )  # fmt: skip
        progress = Progress(enabled=opts["verbosity"] > 0)
        started = time.monotonic()
        try:
            with transaction.atomic():
                existing = Operation.objects.filter(code=code).select_for_update().first()
                if existing and not opts["replace"]:
                    raise CommandError(
                        f"Operation {code!r} already exists; run with --replace to drop it and load it again."
                    )
                if existing:
                    drop_operation(existing.pk)
                    progress(f"dropped the existing operation {code}")
                password = os.environ.get("DEMO_PASSWORD", "demo-pass-2024")
                operation_id = ScaleSeeder(code, sizes, progress, password).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        freshness.bump()  # COPY sends no signals: cached figures must not outlive the old rows
        analyze()
        progress("analyzed")
        if opts["check"]:
            bad = {k: v for k, v in rule_violations(operation_id).items() if v}
            if bad:
                raise CommandError(f"rules broken: {bad}")
            progress("every SPEC §5 rule holds")
        if opts["verbosity"]:
            self.stdout.write(
                f"Loaded operation {code}: {sizes.countries} countries, {sizes.venues} venues, {sizes.officers} officers, "
                f"{sizes.k9_teams} K9 teams, {sizes.assignments} assignments in {time.monotonic() - started:.1f}s."
            )

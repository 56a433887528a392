"""The seeder's state and its order of work: people, the operation, requests, pledges, venues,
assignments, notifications (one module each), then a set-wise check of every foreign key."""

import datetime as dt
import random
import zoneinfo

from django.db import connection

from demo.scale import deployments, notifications, people, pledges, requests
from demo.scale.checks import foreign_key_orphans
from demo.scale.copier import Copier, Progress
from demo.scale.sizes import COUNTRIES, GAMES_DAYS, OFFICER_SPECIALTIES, Sizes
from reinforcements.models import Specialty


class ScaleSeeder:
    """Builds the operation `code` at the given sizes. Call `run()` inside a transaction."""

    def __init__(self, code: str, sizes: Sizes, progress: Progress, password: str):
        if sizes.countries > len(COUNTRIES):
            raise ValueError(f"at most {len(COUNTRIES)} countries")
        if sizes.countries < 1 or sizes.venues < 1:
            raise ValueError("at least one country and one venue")
        self.code = code
        self.sz = sizes
        self.progress = progress
        self.password = password
        self.rng = random.Random(sizes.seed)
        self.tz = zoneinfo.ZoneInfo("Europe/Paris")
        self.first_day = sizes.first_day
        self.last_day = sizes.first_day + dt.timedelta(days=GAMES_DAYS - 1)
        self.op_starts = self.first_day - dt.timedelta(days=7)
        self.op_ends = self.last_day + dt.timedelta(days=7)
        # Mid-Games: what ended is completed, what runs is active, what comes is planned or confirmed.
        self.as_of = self.instant(self.first_day + dt.timedelta(days=21), 12)
        self._instants: dict = {}

    # times
    def instant(self, day: dt.date, hour: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), self.tz)

    def iso(self, day: dt.date, hour: int) -> str:
        key = (day, hour)
        if key not in self._instants:
            self._instants[key] = (self.instant(day) + dt.timedelta(hours=hour)).isoformat()
        return self._instants[key]

    def run(self):
        with connection.cursor() as cursor:
            self.copier = Copier(cursor, self.progress)
            self.cursor = cursor
            deferred_checks = self._skip_fk_triggers()
            self._reference()
            people.seed_users(self)
            people.seed_operation(self)
            requests.seed_requests(self)
            pledges.seed_pledges(self)
            deployments.seed_venues(self)
            deployments.seed_assignments(self)
            notifications.seed_notifications(self)
            if deferred_checks:
                cursor.execute("SET LOCAL session_replication_role = origin")
                orphans = foreign_key_orphans(self.copier.tables)
                if orphans:
                    raise ValueError(f"rows pointing at nothing: {orphans}")
                self.progress("foreign keys verified")
        return self.operation_id

    def _skip_fk_triggers(self) -> bool:
        """As pg_restore --disable-triggers does: a superuser loads without the per-row FK triggers.

        Those deferred checks (a million and a half lookups at COMMIT) took a third of the load;
        one anti-join per foreign key afterwards checks the same thing set-wise. Constraints that
        are not triggers (CHECK, UNIQUE, the K9 exclusion) still hold row by row.
        """
        self.cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not self.cursor.fetchone()[0]:
            return False
        self.cursor.execute("SET LOCAL session_replication_role = replica")
        return True

    def _reference(self):
        self.specialty = {s.code: s.pk for s in Specialty.objects.all()}
        missing = set(OFFICER_SPECIALTIES) - set(self.specialty)
        if missing:
            raise ValueError(f"specialties missing (migrate first): {sorted(missing)}")
        self.countries = COUNTRIES[: self.sz.countries]
        self.created = self.instant(self.first_day - dt.timedelta(days=200), 9).isoformat()

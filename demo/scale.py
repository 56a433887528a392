"""A whole Games' worth of data (SPEC §9) for `manage.py seed_scale` and the benchmark.

Rows are generated in Python from a seeded `random.Random` (the same sizes and seed give
the same data) and written with PostgreSQL COPY in one transaction; nothing goes through
`Model.save()`, which would take hours at this size and write history one row at a time.

Every SPEC §5 rule holds by construction, and `rule_violations()` checks it in SQL:
- a line's accepted officers are split into squads (about 85% of them; the rest stay free so
  that a coordinator, or the benchmark, can still place people); a squad works shifts of one
  pattern on distinct days, so its shifts never overlap, and the officers of a line on duty at
  any instant are at most the sum of its squads;
- a K9 team works one shift a day, never past its certification's expiry;
- shifts sit inside the line's or team's availability, which sits inside the request's period,
  which sits inside the operation's dates; venues belong to the operation.
"""

import dataclasses
import datetime as dt
import io
import math
import random
import sys
import time
import zoneinfo

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from deployments.models import Assignment, Venue, VenueNeed
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.models import LiaisonProfile, Operation, ReinforcementRequest, RequestLine, Specialty, User


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Big contributors first: the country weights fall with the position (Zipf-like).
COUNTRIES = _words(
    "DE IT ES PL GB BE NL PT AT CH SE DK NO FI IE GR CZ RO HU SK SI HR BG LT LV EE LU MT CY US CA MX BR AR CL CO "
    "PE UY MA TN DZ SN CI CM EG ZA NG KE GH ET JP KR CN IN AU NZ SG MY TH ID PH VN IL TR AE QA SA JO LB UA MD GE "
    "AM AZ KZ UZ RS BA ME MK AL IS LI MC AD SM TW PK BD LK NP MN KH LA BO EC PY CR PA GT HN SV NI DO JM HT TT BS "
    "BB KW BH OM IQ MR ML BF BJ TG GN GA CG CD AO MZ ZM ZW BW NA MG MU RW UG TZ BI DJ SO GM GW SL LR CV ST KM SC "
    "FJ PG WS TO VU SB KI TV NR PW FM MH BT MV BN TL"
)
FRENCH_SPEAKING = set(_words("BE CH LU CA MA TN DZ SN CI CM MC ML BF BJ TG GN GA CG CD MG HT DJ RW BI MR KM SC"))
NATIVE_LANGUAGE = dict(
    pair.split(":")
    for pair in _words(
        "DE:de IT:it ES:es PL:pl PT:pt NL:nl AT:de CH:de BE:nl SE:sv DK:da NO:no FI:fi GR:el CZ:cs RO:ro HU:hu "
        "SK:sk SI:sl HR:hr BG:bg LT:lt LV:lv EE:et LU:fr MT:mt MX:es BR:pt AR:es CL:es CO:es JP:ja KR:ko CN:zh"
    )
)
OFFICER_SPECIALTIES = ("public_order", "community_patrol", "mounted", "river", "traffic_escort", "bomb_disposal")
DETECTION_WEIGHTS = {"explosives": 60, "narcotics": 15, "patrol": 20, "search_rescue": 5}
# What each kind of venue needs; a K9 team of detection D works where k9_D is needed.
VENUE_SPECIALTIES = {
    "stadium": ("public_order", "community_patrol", "traffic_escort", "bomb_disposal", "k9_explosives"),
    "arena": ("public_order", "community_patrol", "bomb_disposal", "k9_explosives"),
    "river_segment": ("river", "public_order", "community_patrol", "k9_explosives"),
    "fan_zone": ("community_patrol", "public_order", "mounted", "k9_patrol"),
    "transport_hub": ("community_patrol", "traffic_escort", "k9_explosives", "k9_narcotics"),
    "village": ("public_order", "community_patrol", "k9_patrol", "k9_narcotics"),
    "other": ("public_order", "mounted", "traffic_escort"),
}
VENUE_KINDS = ("stadium",) * 3 + ("arena",) * 3 + ("river_segment",) * 2 + ("fan_zone",) * 2 + (
    "transport_hub", "transport_hub", "village", "other",
)  # fmt: skip
KNOWN_VENUES = [
    ("Stade de France", "stadium"), ("Parc des Princes", "stadium"), ("Bercy Arena", "arena"),
    ("Roland-Garros", "stadium"), ("Champ-de-Mars Arena", "arena"), ("Grand Palais", "arena"),
    ("Invalides", "other"), ("Pont d'Iéna", "river_segment"), ("Concorde", "fan_zone"),
    ("Trocadéro", "fan_zone"), ("Seine: Austerlitz to Notre-Dame", "river_segment"),
    ("Seine: Notre-Dame to Pont Neuf", "river_segment"), ("Seine: Louvre to Concorde", "river_segment"),
    ("Seine: Alexandre III to Iéna", "river_segment"), ("Athletes' Village", "village"),
    ("Gare du Nord", "transport_hub"), ("Gare de Lyon", "transport_hub"), ("Châtelet-Les Halles", "transport_hub"),
    ("South Paris Arena", "arena"), ("Porte de La Chapelle Arena", "arena"), ("Aquatics Centre", "arena"),
    ("Paris La Défense Arena", "arena"), ("Le Bourget", "other"), ("Vaires-sur-Marne", "river_segment"),
    ("Château de Versailles", "other"), ("Hôtel de Ville", "fan_zone"), ("Parc de La Villette", "fan_zone"),
    ("Pierre Mauroy Stadium", "stadium"), ("Orange Vélodrome", "stadium"), ("Marseille Marina", "river_segment"),
]  # fmt: skip
ROLES = ("Perimeter", "Crowd control", "Checkpoint", "Patrol", "Spectator assistance", "Escort", "Search")
DOG_NAMES = ("Rex", "Luna", "Max", "Bella", "Rocky", "Nala", "Thor", "Kira", "Odin", "Maya", "Zeus", "Lola", "Ares")
BREEDS = ("Belgian Malinois", "German Shepherd", "Labrador Retriever", "Springer Spaniel", "Dutch Shepherd")
SURNAMES = _words("Nowak Müller Rossi García Silva Jansen Peeters Novák Nagy Horvat Berg Smith Kowalski Weber Costa")
# Shift patterns (start hour, length in hours): a squad keeps one, so its own shifts never overlap.
EIGHT_HOURS = ((6, 8), (14, 8), (22, 8))
TWELVE_HOURS = ((8, 12), (20, 12))
GAMES_DAYS = 42  # six weeks


@dataclasses.dataclass(frozen=True)
class Sizes:
    countries: int = 150
    venues: int = 100
    officers: int = 50_000
    k9_teams: int = 2_000
    assignments: int = 250_000
    needs: int = 3_000
    notifications: int = 50_000
    seed: int = 2024
    first_day: dt.date = dt.date(2024, 7, 15)


class Progress:
    """One stderr line per step, with elapsed seconds: a progress bar that survives CI logs."""

    def __init__(self, stream=None, *, enabled=True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, what: str, done: int | None = None, total: int | None = None):
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        if total:
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"[{bar}] {done:>7}/{total:<7} {what} ({elapsed:5.1f}s)\n")
        else:
            self.stream.write(f"{what} ({elapsed:5.1f}s)\n")
        self.stream.flush()


# --- COPY -----------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(value) + "}"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


class Copier:
    def __init__(self, cursor, progress: Progress):
        self.cursor = cursor
        self.progress = progress
        self.tables: list[str] = []

    def ids(self, model, n: int) -> list[int]:
        """Take n ids from the table's identity sequence, so foreign keys can be written before COPY."""
        if n == 0:
            return []
        table = model._meta.db_table
        self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [r[0] for r in self.cursor.fetchall()]

    def copy(self, table: str, columns: list[str], rows, *, label=None, chunk=50_000):
        """COPY rows (tuples of Python values, or preformatted lines) in chunks, reporting each."""
        rows = list(rows)
        total = len(rows)
        if table not in self.tables:
            self.tables.append(table)
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        for start in range(0, total, chunk):
            buf = io.StringIO()
            for row in rows[start : start + chunk]:
                buf.write(row if isinstance(row, str) else "\t".join(_text(v) for v in row))
                buf.write("\n")
            buf.seek(0)
            self.cursor.cursor.copy_expert(sql, buf)
            self.progress(label or table, min(start + chunk, total), total)
        if total == 0:
            self.progress(f"{label or table}: none")


# --- Generation -----------------------------------------------------------------------------------


def _split(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split an integer total in proportion to weights (largest remainders), each at least `minimum`."""
    n = len(weights)
    if n == 0:
        return []
    base = minimum * n
    if base > total:
        raise ValueError(f"cannot give {minimum} to each of {n} parts of {total}")
    rest = total - base
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


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
            self._users()
            self._operation()
            self._requests()
            self._pledges()
            self._venues()
            self._assignments()
            self._notifications()
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

    # reference data and people
    def _reference(self):
        self.specialty = {s.code: s.pk for s in Specialty.objects.all()}
        missing = set(OFFICER_SPECIALTIES) - set(self.specialty)
        if missing:
            raise ValueError(f"specialties missing (migrate first): {sorted(missing)}")
        self.ct = {m: ContentType.objects.get_for_model(m).pk for m in (ReinforcementRequest, Pledge, Assignment)}
        self.countries = COUNTRIES[: self.sz.countries]
        self.created = self.instant(self.first_day - dt.timedelta(days=200), 9).isoformat()

    def _users(self):
        """Staff and one liaison per country (two for the ten biggest); existing ones are reused."""
        from django.contrib.auth.models import Group

        p = self.code
        wanted = [(f"{p}-coordinator-{i}", "coordinators", None, "en" if i % 2 else "fr") for i in range(1, 6)]
        wanted.append((f"{p}-viewer", "viewers", None, "en"))
        for i, cc in enumerate(self.countries):
            lang = "fr" if cc in FRENCH_SPEAKING else "en"
            wanted.append((f"{p}-liaison-{cc.lower()}", None, cc, lang))
            if i < 10:
                wanted.append((f"{p}-liaison-{cc.lower()}-2", None, cc, lang))
        existing = dict(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "id"))
        new = [w for w in wanted if w[0] not in existing]
        ids = self.copier.ids(User, len(new))
        password = make_password(self.password)
        groups = dict(Group.objects.values_list("name", "id"))
        self.copier.copy(
            "reinforcements_user",
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
             "is_active", "date_joined", "language"],
            [(pk, password, False, u, "", "", f"{u}@example.org", False, True, self.created, lang)
             for pk, (u, _g, _c, lang) in zip(ids, new, strict=True)],
            label="users",
        )  # fmt: skip
        self.copier.copy(
            "reinforcements_user_groups",
            ["user_id", "group_id"],
            [(pk, groups[g]) for pk, (_u, g, _c, _l) in zip(ids, new, strict=True) if g],
            label="group memberships",
        )
        profile_ids = self.copier.ids(LiaisonProfile, sum(1 for w in new if w[2]))
        profiles = [(pk, c) for pk, (_u, _g, c, _l) in zip(ids, new, strict=True) if c]
        self.copier.copy(
            "reinforcements_liaisonprofile",
            ["id", "user_id", "country", "phone"],
            [(pid, uid, c, "+00 0 00 00 00 00") for pid, (uid, c) in zip(profile_ids, profiles, strict=True)],
            label="liaison profiles",
        )
        self.copier.copy(
            "reinforcements_historicalliaisonprofile",
            ["id", "country", "phone", "history_date", "history_type", "user_id"],
            [(pid, c, "+00 0 00 00 00 00", self.created, "+", uid)
             for pid, (uid, c) in zip(profile_ids, profiles, strict=True)],
            label="liaison profile history",
        )  # fmt: skip
        existing.update({w[0]: pk for pk, w in zip(ids, new, strict=True)})
        self.coordinators = [existing[w[0]] for w in wanted if w[1] == "coordinators"]
        self.liaisons: dict[str, list[tuple[int, str]]] = {}
        for u, _g, c, lang in wanted:
            if c:
                self.liaisons.setdefault(c, []).append((existing[u], lang))
        self.coordinator_langs = [(existing[w[0]], w[3]) for w in wanted if w[1] == "coordinators"]

    def _operation(self):
        (self.operation_id,) = self.copier.ids(Operation, 1)
        row = (self.operation_id, self.code, f"Games at scale ({self.code})", "FR", self.op_starts, self.op_ends,
               "Europe/Paris")  # fmt: skip
        cols = ["id", "code", "name", "host_country", "starts_on", "ends_on", "timezone"]
        self.copier.copy("reinforcements_operation", cols, [row], label="operation")
        self.copier.copy(
            "reinforcements_historicaloperation",
            [*cols, "history_date", "history_type", "history_user_id"],
            [(*row, self.created, "+", self.coordinators[0])],
            label="operation history",
        )

    # requests
    def _requests(self):
        rng, sz = self.rng, self.sz
        n = len(self.countries)
        statuses = []
        for i in range(n):
            if i == 0:
                statuses.append("acknowledged")  # the biggest contributor is always in
            else:
                statuses.append(rng.choices(
                    ["acknowledged", "sent", "closed", "declined", "cancelled", "draft"], [78, 8, 4, 4, 3, 3]
                )[0])  # fmt: skip
        # Officers go to the countries that answered, in proportion to their weight.
        active = [i for i in range(n) if statuses[i] in ("acknowledged", "sent", "closed")]
        weights = [1 / (i + 1) ** 0.8 for i in active]
        officers = dict(zip(active, _split(sz.officers, weights), strict=True)) if sz.officers else {}
        k9_countries = active[: max(1, min(len(active), round(sz.k9_teams / 60)))] if sz.k9_teams else []
        teams = dict(zip(k9_countries, _split(sz.k9_teams, [1 / (j + 1) ** 0.5 for j in range(len(k9_countries))]),
                         strict=True))  # fmt: skip
        self.requests = []  # dicts describing each request
        for i, cc in enumerate(self.countries):
            self.requests.append({"country": cc, "authority": "interior", "status": statuses[i],
                                  "officers": officers.get(i, 0), "teams": 0, "rank": i})  # fmt: skip
            if teams.get(i):
                self.requests.append({"country": cc, "authority": "defence", "status": "acknowledged",
                                      "officers": 0, "teams": teams[i], "rank": i})  # fmt: skip
        ids = self.copier.ids(ReinforcementRequest, len(self.requests))
        sent_at = self.instant(self.first_day - dt.timedelta(days=190), 10).isoformat()
        rows, lines, line_hist = [], [], []
        reason = {"declined": "No officers available during the Games.", "cancelled": "Covered by another request."}
        for pk, r in zip(ids, self.requests, strict=True):
            r["id"] = pk
            status = r["status"]
            # Lines: what was asked, at least what will be pledged.
            if r["authority"] == "interior":
                k = rng.randint(2, 4)
                specs = rng.sample(OFFICER_SPECIALTIES[:5], k - 1) + (["bomb_disposal"] if rng.random() < 0.2 else [])
                specs = list(dict.fromkeys(["public_order", *specs]))[:k]
                asked = max(r["officers"], rng.randint(20, 400)) * (1 + rng.random() * 0.3)
                qty = _split(max(int(asked), len(specs)), [rng.random() + 0.5 for _ in specs], minimum=1)
            else:
                specs = ["k9_explosives", "k9_patrol", "k9_narcotics"][: rng.randint(1, 3)]
                qty = _split(max(r["teams"] + rng.randint(0, 10), len(specs)), [3, 1, 1][: len(specs)], minimum=1)
            r["specialties"] = specs
            r["line_specs"] = list(zip(specs, qty, strict=True))
            rows.append((
                pk, self.operation_id, r["country"], r["authority"], status, self.first_day - dt.timedelta(days=120),
                self.op_starts, self.op_ends,
                "Dear colleagues,\nthe French Ministry of the Interior asks for your support during the Games.",
                "Priority partner." if r["rank"] < 10 else "", reason.get(status, ""), self.created,
                None if status == "draft" else sent_at,
            ))  # fmt: skip
        cols = ["id", "operation_id", "country", "authority", "status", "response_due", "period_start", "period_end",
                "message", "internal_notes", "status_reason", "created_at", "sent_at"]  # fmt: skip
        self.copier.copy("reinforcements_reinforcementrequest", cols, rows, label="requests")
        self.copier.copy(
            "reinforcements_historicalreinforcementrequest",
            [*cols[:11], "sent_at", "history_date", "history_type", "history_user_id"],
            self._request_history(rows),
            label="request history",
        )
        line_ids = self.copier.ids(RequestLine, sum(len(r["line_specs"]) for r in self.requests))
        it = iter(line_ids)
        for r in self.requests:
            for spec, q in r["line_specs"]:
                pk = next(it)
                lines.append((pk, q, r["id"], self.specialty[spec]))
                line_hist.append((pk, q, self.created, "+", self.coordinators[0], r["id"], self.specialty[spec]))
        self.copier.copy("reinforcements_requestline", ["id", "quantity", "request_id", "specialty_id"], lines,
                         label="request lines")  # fmt: skip
        self.copier.copy(
            "reinforcements_historicalrequestline",
            ["id", "quantity", "history_date", "history_type", "history_user_id", "request_id", "specialty_id"],
            line_hist,
            label="request line history",
        )

    def _request_history(self, rows):
        out = []
        for row in rows:
            created = (*row[:4], "draft", *row[5:11], None, self.created, "+", self.coordinators[0])
            out.append(created)
            if row[4] != "draft":
                out.append((*row[:11], row[12], row[12], "~", self.coordinators[0]))
        return out

    # pledges, lines, teams
    def _pledges(self):
        rng = self.rng
        pledges = []
        self.accepted_lines, self.accepted_teams = [], []
        for r in self.requests:
            if r["status"] not in ("acknowledged", "sent", "closed"):
                continue
            liaison = self.liaisons[r["country"]][0][0]
            if r["authority"] == "interior":
                main = "accepted" if rng.random() < 0.7 else "partially_accepted"
                pledges.append({"request": r, "status": main, "liaison": liaison, "lines": [], "teams": []})
                specs = list(r["specialties"])
                accepted = (
                    _split(r["officers"], [rng.random() + 0.3 for _ in specs]) if r["officers"] else [0] * len(specs)
                )
                for spec, acc in zip(specs, accepted, strict=True):
                    offered = acc if main == "accepted" else acc + rng.randint(0, max(1, acc // 4))
                    if offered == 0:
                        offered = rng.randint(1, 10)
                    pledges[-1]["lines"].append((spec, offered, acc))
                # An odd second pledge now and then, in every other state.
                if rng.random() < 0.35:
                    other = rng.choice(["submitted", "draft", "changes_requested", "rejected", "withdrawn"])
                    pledges.append({"request": r, "status": other, "liaison": liaison, "teams": [],
                                    "lines": [(rng.choice(specs), rng.randint(5, 60), 0)]})  # fmt: skip
            else:
                main = "accepted" if rng.random() < 0.6 else "partially_accepted"
                pledges.append({"request": r, "status": main, "liaison": liaison, "lines": [], "teams": []})
                for _ in range(r["teams"]):
                    ok = main == "accepted" or rng.random() < 0.9
                    pledges[-1]["teams"].append(ok)
        ids = self.copier.ids(Pledge, len(pledges))
        rows, hist = [], []
        for pk, p in zip(ids, pledges, strict=True):
            p["id"] = pk
            status = p["status"]
            created = self.instant(self.first_day - dt.timedelta(days=150 - rng.randint(0, 30)), 10)
            submitted = created + dt.timedelta(days=3)
            decided = submitted + dt.timedelta(days=7)
            was_submitted = status != "draft"
            was_decided = status in ("accepted", "partially_accepted", "rejected") or (
                status == "withdrawn" and rng.random() < 0.5
            )
            coord = rng.choice(self.coordinators)
            name = f"Cdt. {rng.choice(SURNAMES)}"
            p["created"], p["submitted"], p["decided"] = created, submitted, decided
            p["decided_by"] = coord if was_decided else None
            row = (
                pk, status, name, f"ops@police.{p['request']['country'].lower()}.example", "",
                {"accepted": "Thank you.", "partially_accepted": "Accepted in part: lodging is limited.",
                 "rejected": "Not needed for these dates."}.get(status, ""),
                "Please give the officers' languages." if status == "changes_requested" else "",
                "The contingent is needed at home." if status == "withdrawn" else "",
                created.isoformat(), submitted.isoformat() if was_submitted else None,
                decided.isoformat() if was_decided else None,
                p["liaison"], p["liaison"] if was_submitted else None, coord if was_decided else None,
                p["request"]["id"],
            )  # fmt: skip
            rows.append(row)
            hist.append((pk, "draft", name, row[3], "", "", "", "", None, None, created.isoformat(), "+",
                         p["liaison"], None, p["liaison"], p["request"]["id"], None))  # fmt: skip
            if status != "draft":
                hist.append((pk, status, *row[2:8], row[9], row[10], (decided if was_decided else submitted).isoformat(),
                             "~", p["liaison"], row[13], coord if was_decided else p["liaison"], p["request"]["id"],
                             row[12]))  # fmt: skip
        cols = ["id", "status", "commander_name", "commander_contact", "notes", "decision_note", "changes_note",
                "withdraw_reason", "created_at", "submitted_at", "decided_at", "created_by_id", "submitted_by_id",
                "decided_by_id", "request_id"]  # fmt: skip
        self.copier.copy("pledges_pledge", cols, rows, label="pledges")
        self.copier.copy(
            "pledges_historicalpledge",
            ["id", "status", "commander_name", "commander_contact", "notes", "decision_note", "changes_note",
             "withdraw_reason", "submitted_at", "decided_at", "history_date", "history_type", "created_by_id",
             "decided_by_id", "history_user_id", "request_id", "submitted_by_id"],
            hist,
            label="pledge history",
        )  # fmt: skip
        self.pledges = pledges

        # Officer lines: availability inside the request period, mostly the whole Games.
        n_lines = sum(len(p["lines"]) for p in pledges)
        line_ids = iter(self.copier.ids(PledgeLine, n_lines))
        line_rows, line_hist = [], []
        for p in pledges:
            cc = p["request"]["country"]
            langs = [NATIVE_LANGUAGE.get(cc, "en"), "en", "fr" if cc in FRENCH_SPEAKING else "es"]
            langs = list(dict.fromkeys(langs[: rng.randint(1, 3)]))
            for spec, offered, acc in p["lines"]:
                pk = next(line_ids)
                a_from, a_to = self._availability()
                line_rows.append((pk, a_from, a_to, offered, acc, langs, p["id"], self.specialty[spec]))
                line_hist.append((pk, a_from, a_to, offered, 0, langs, p["created"].isoformat(), "+", p["liaison"],
                                  p["id"], self.specialty[spec]))  # fmt: skip
                if acc:
                    line_hist.append((pk, a_from, a_to, offered, acc, langs, p["decided"].isoformat(), "~",
                                      p["decided_by"], p["id"], self.specialty[spec]))  # fmt: skip
                    if p["status"] in ("accepted", "partially_accepted"):
                        self.accepted_lines.append({"id": pk, "pledge": p["id"], "spec": spec, "accepted": acc,
                                                    "from": a_from, "to": a_to})  # fmt: skip
        self.copier.copy(
            "pledges_pledgeline",
            ["id", "available_from", "available_to", "officers_offered", "officers_accepted", "languages",
             "pledge_id", "specialty_id"],
            line_rows,
            label="pledge lines",
        )  # fmt: skip
        self.copier.copy(
            "pledges_historicalpledgeline",
            ["id", "available_from", "available_to", "officers_offered", "officers_accepted", "languages",
             "history_date", "history_type", "history_user_id", "pledge_id", "specialty_id"],
            line_hist,
            label="pledge line history",
        )  # fmt: skip

        n_teams = sum(len(p["teams"]) for p in pledges)
        team_ids = iter(self.copier.ids(K9Team, n_teams))
        team_rows, team_hist = [], []
        detections, dweights = list(DETECTION_WEIGHTS), list(DETECTION_WEIGHTS.values())
        for p in pledges:
            for ok in p["teams"]:
                pk = next(team_ids)
                a_from, a_to = self._availability()
                if rng.random() < 0.08:  # expires during the Games: the last shifts must end before
                    cert = a_from + dt.timedelta(days=rng.randint(5, max(5, (a_to - a_from).days)))
                else:
                    cert = dt.date(self.first_day.year + 1, rng.randint(1, 12), rng.randint(1, 28))
                det = rng.choices(detections, dweights)[0]
                row = (pk, a_from, a_to, f"{rng.choice(['Sgt.', 'Cpl.', 'Lt.'])} {rng.choice(SURNAMES)}",
                       rng.choice(DOG_NAMES), rng.choice(BREEDS), det, cert, ok, p["id"])  # fmt: skip
                team_rows.append(row)
                team_hist.append((*row[:8], False, p["created"].isoformat(), "+", p["liaison"], p["id"]))
                if ok:
                    team_hist.append((*row[:8], True, p["decided"].isoformat(), "~", p["decided_by"], p["id"]))
                    self.accepted_teams.append({"id": pk, "pledge": p["id"], "spec": f"k9_{det}", "from": a_from,
                                                "to": min(a_to, cert)})  # fmt: skip
        cols = ["id", "available_from", "available_to", "handler_name", "dog_name", "dog_breed", "detection",
                "certification_expires_on", "accepted", "pledge_id"]  # fmt: skip
        self.copier.copy("pledges_k9team", cols, team_rows, label="K9 teams")
        self.copier.copy(
            "pledges_historicalk9team",
            [*cols[:9], "history_date", "history_type", "history_user_id", "pledge_id"],
            team_hist,
            label="K9 team history",
        )

    def _availability(self) -> tuple[dt.date, dt.date]:
        """Most contingents stay the whole Games; a quarter come for part of it."""
        if self.rng.random() < 0.75:
            return self.first_day - dt.timedelta(days=2), self.last_day + dt.timedelta(days=2)
        start = self.first_day + dt.timedelta(days=self.rng.randint(0, 20))
        return start, min(self.last_day, start + dt.timedelta(days=self.rng.randint(13, 27)))

    # venues and needs
    def _venues(self):
        rng, sz = self.rng, self.sz
        ids = self.copier.ids(Venue, sz.venues)
        rows = []
        self.venues = []
        for i, pk in enumerate(ids):
            if i < len(KNOWN_VENUES):
                name, kind = KNOWN_VENUES[i]
            else:
                kind = VENUE_KINDS[i % len(VENUE_KINDS)]
                name = f"{kind.replace('_', ' ').capitalize()} {i + 1}"
            code = f"v{i + 1:03d}"
            lat = round(48.75 + rng.random() * 0.25, 6)
            lon = round(2.2 + rng.random() * 0.3, 6)
            rows.append((pk, code, name, kind, f"{rng.randint(1, 120)} rue de l'Exemple, Paris", lat, lon,
                         self.operation_id))  # fmt: skip
            self.venues.append({"id": pk, "code": code, "kind": kind, "specs": VENUE_SPECIALTIES[kind]})
        cols = ["id", "code", "name", "kind", "address", "latitude", "longitude", "operation_id"]
        self.copier.copy("deployments_venue", cols, rows, label="venues")
        self.copier.copy(
            "deployments_historicalvenue",
            [*cols, "history_date", "history_type", "history_user_id"],
            [(*r, self.created, "+", self.coordinators[0]) for r in rows],
            label="venue history",
        )
        # Needs: sessions of 4 to 12 hours on Games days, for the specialties the venue's kind needs.
        pairs = [(v, s) for v in self.venues for s in v["specs"]]
        need_ids = self.copier.ids(VenueNeed, sz.needs)
        need_rows = []
        for j, pk in enumerate(need_ids):
            venue, spec = pairs[j % len(pairs)] if j < len(pairs) else rng.choice(pairs)
            day = self.first_day + dt.timedelta(days=rng.randrange(GAMES_DAYS))
            start = rng.choice((6, 8, 10, 14, 18))
            length = rng.choice((4, 6, 8, 10, 12))
            qty = rng.randint(1, 6) if spec.startswith("k9_") else rng.randint(5, 80)
            need_rows.append((pk, self.iso(day, start), self.iso(day, start + length), qty, self.specialty[spec],
                              venue["id"]))  # fmt: skip
        ncols = ["id", "starts_at", "ends_at", "quantity", "specialty_id", "venue_id"]
        self.copier.copy("deployments_venueneed", ncols, need_rows, label="venue needs")
        self.copier.copy(
            "deployments_historicalvenueneed",
            [*ncols, "history_date", "history_type", "history_user_id"],
            [(*r, self.created, "+", self.coordinators[0]) for r in need_rows],
            label="venue need history",
        )
        self.venues_by_spec: dict[str, list[dict]] = {}
        for v in self.venues:
            for s in v["specs"]:
                self.venues_by_spec.setdefault(s, []).append(v)

    # assignments
    def _days(self, a_from: dt.date, a_to: dt.date) -> list[dt.date]:
        first, last = max(a_from, self.first_day), min(a_to, self.last_day)
        return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]

    def _assignments(self):
        rng, sz = self.rng, self.sz
        # K9: one shift a day per accepted team, never on the day after its certification expires.
        k9_slots = sum(len(self._days(t["from"], t["to"])) for t in self.accepted_teams)
        k9_target = min(k9_slots, round(sz.assignments * 0.12))
        # Squads: about 85% of each line's accepted officers; the rest stay free for new placements.
        squads = []
        line_days = {ln["id"]: self._days(ln["from"], ln["to"]) for ln in self.accepted_lines}
        off_target = sz.assignments - k9_target
        in_squads = {ln["id"]: max(1, math.floor(ln["accepted"] * 0.85)) for ln in self.accepted_lines}
        avg_days = (sum(len(d) for d in line_days.values()) / len(line_days)) if line_days else 0
        wanted_squads = math.ceil(off_target / max(1, 0.7 * avg_days)) if off_target else 0
        total_in_squads = sum(in_squads.values())
        if off_target and not self.accepted_lines:
            raise ValueError("no accepted officers to assign")
        squad_counts = {}
        if self.accepted_lines:
            counts = _split(min(wanted_squads, total_in_squads), [in_squads[ln["id"]] for ln in self.accepted_lines])
            for ln, c in zip(self.accepted_lines, counts, strict=True):
                squad_counts[ln["id"]] = min(max(1, c), in_squads[ln["id"]])
        for ln in self.accepted_lines:
            c = squad_counts[ln["id"]]
            sizes = _split(in_squads[ln["id"]], [rng.random() + 0.5 for _ in range(c)], minimum=1)
            venues = self.venues_by_spec.get(ln["spec"]) or self.venues
            for size in sizes:
                squads.append({"line": ln, "size": size, "days": line_days[ln["id"]],
                               "venue": rng.choice(venues), "pattern": rng.choice((EIGHT_HOURS, TWELVE_HOURS))})  # fmt: skip
        capacity = [len(s["days"]) * (3 if s["pattern"] is EIGHT_HOURS else 2) for s in squads]
        if off_target > sum(capacity):
            raise ValueError(
                f"{sz.assignments} assignments do not fit: officers can take at most {sum(capacity) + k9_target}"
            )
        per_squad = _split(off_target, [len(s["days"]) + 0.01 for s in squads]) if squads else []
        # A squad short of days takes extra shifts of its 8-hour pattern on the same days.
        overflow = 0
        for k, s in enumerate(squads):
            if per_squad[k] > len(s["days"]):
                s["pattern"] = EIGHT_HOURS
            if per_squad[k] > capacity[k]:
                overflow += per_squad[k] - capacity[k]
                per_squad[k] = capacity[k]
        for k in range(len(squads)):
            while overflow and per_squad[k] < capacity[k]:
                per_squad[k] += 1
                overflow -= 1

        lines_out = []
        created = self.instant(self.first_day - dt.timedelta(days=20), 9)
        as_of = self.as_of
        coords = self.coordinators
        made_at = [(created + dt.timedelta(minutes=m)).isoformat() for m in range(0, 20 * 1440, 7)]
        slot = {}  # (day, hour) -> (ISO text, instant): 42 days x a few hours, computed once

        def at(day, hour):
            key = (day, hour)
            if key not in slot:
                slot[key] = (self.iso(day, hour), self.instant(day) + dt.timedelta(hours=hour))
            return slot[key]

        def emit(line_id, quantity, team_id, pledge_id, venue_id, day, hour, length):
            k = len(lines_out)
            starts, start_dt = at(day, hour)
            ends, end_dt = at(day, hour + length)
            r = rng.random()
            if r < 0.02:
                status, reason = "cancelled", "Session moved."
            elif end_dt <= as_of:
                status, reason = "completed", ""
            elif start_dt <= as_of:
                status, reason = "active", ""
            else:
                status, reason = ("confirmed" if r < 0.45 else "planned"), ""
            lines_out.append(
                f"{quantity}\t{starts}\t{ends}\t{ROLES[k % len(ROLES)]}\t{status}\t{reason}\t"
                f"{made_at[k % len(made_at)]}\t{coords[k % len(coords)]}\t{team_id}\t{pledge_id}\t{line_id}\t{venue_id}"
            )

        for k, s in enumerate(squads):
            n = per_squad[k]
            if not n:
                continue
            line = s["line"]
            for day, (hour, length) in self._shifts(s["days"], s["pattern"], n, line["to"]):
                emit(line["id"], s["size"], r"\N", line["pledge"], s["venue"]["id"], day, hour, length)
        self.progress("officer assignments generated")
        # K9 teams: shifts spread over the accepted teams, one a day each.
        teams = self.accepted_teams
        per_team = _split(k9_target, [len(self._days(t["from"], t["to"])) + 0.01 for t in teams]) if teams else []
        for t, n in zip(teams, per_team, strict=True):
            days = self._days(t["from"], t["to"])
            venue = rng.choice(self.venues_by_spec.get(t["spec"]) or self.venues)
            pattern = rng.choice((EIGHT_HOURS, TWELVE_HOURS))
            for day, (hour, length) in self._shifts(days, pattern, min(n, len(days)), t["to"], one_a_day=True):
                emit(r"\N", r"\N", t["id"], t["pledge"], venue["id"], day, hour, length)
        short = sz.assignments - len(lines_out)
        if short:
            raise ValueError(f"generated {len(lines_out)} assignments, {short} short of {sz.assignments}")
        self.progress("K9 assignments generated")
        # Ids come from the table's identity; history is then derived from the loaded rows in SQL.
        cols = ["quantity", "starts_at", "ends_at", "role", "status", "status_reason", "created_at",
                "created_by_id", "k9_team_id", "pledge_id", "pledge_line_id", "venue_id"]  # fmt: skip
        self.copier.copy("deployments_assignment", cols, lines_out, label="assignments")
        self.cursor.execute(_ASSIGNMENT_HISTORY_SQL, {"op": self.operation_id})
        self.copier.tables.append("deployments_historicalassignment")
        self.progress(f"assignment history: {self.cursor.rowcount} rows")

    def _shifts(self, days, pattern, n, last_available, *, one_a_day=False):
        """n shifts at one of the pattern's times on distinct days; several a day only for a squad with
        more shifts than days. A night shift is never on the last day: it would end past availability."""
        last = min(last_available, self.last_day)

        def fits(day, shift):
            return shift[0] + shift[1] <= 24 or day < last

        shift = self.rng.choice(pattern)
        slots = [(d, shift) for d in days if fits(d, shift)]
        if n > len(slots) and not one_a_day:
            slots = [(d, s) for d in days for s in pattern if fits(d, s)]
        return slots if n >= len(slots) else sorted(self.rng.sample(slots, n))

    # notifications
    def _notifications(self):
        rng, sz = self.rng, self.sz
        templates = SEED_TEXTS

        def render(event, lang, **values):
            subject, body = templates[event, lang]
            values.setdefault("note", "")
            values.setdefault("status", "")
            return subject % values, body % values

        rows = []
        sent_at = self.instant(self.first_day - dt.timedelta(days=190), 10)

        def add(recipient, lang, event, ct, obj_id, url, when, values):
            subject, body = render(event, lang, **values)
            for channel in ("in_app", "email"):
                read = (
                    (when + dt.timedelta(hours=5)).isoformat() if channel == "in_app" and rng.random() < 0.6 else None
                )
                rows.append((recipient, event, subject, body, url, channel, "sent", 1 if channel == "email" else 0,
                             "", when.isoformat(), when.isoformat(), read, self.ct[ct], obj_id, None))  # fmt: skip

        for r in self.requests:
            if r["status"] == "draft":
                continue
            obj = f"{self.code} / {r['country']} / {r['authority']}"
            for uid, lang in self.liaisons[r["country"]]:
                add(uid, lang, "request_sent", ReinforcementRequest, r["id"], f"/portal/requests/{r['id']}/", sent_at,
                    {"obj": obj})  # fmt: skip
        for p in self.pledges:
            if p["status"] == "draft":
                continue
            obj = f"Pledge #{p['id']} ({p['request']['country']})"
            for uid, lang in self.coordinator_langs:
                add(uid, lang, "pledge_submitted", Pledge, p["id"], f"/pledges/{p['id']}/", p["submitted"],
                    {"obj": obj})  # fmt: skip
            if p["decided_by"]:
                for uid, lang in self.liaisons[p["request"]["country"]]:
                    add(uid, lang, "pledge_decided", Pledge, p["id"], f"/portal/pledges/{p['id']}/", p["decided"],
                        {"obj": obj, "status": p["status"]})  # fmt: skip
        # Then planned assignments, a sample of them, up to the wanted number of rows.
        wanted = max(sz.notifications - len(rows), 0) // 2  # two rows (in-app, email) per assignment
        if wanted:
            self.cursor.execute(
                """SELECT a.id, r.country, v.code, a.starts_at FROM deployments_assignment a
                   JOIN deployments_venue v ON v.id = a.venue_id
                   JOIN pledges_pledge p ON p.id = a.pledge_id
                   JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
                   WHERE v.operation_id = %s AND a.id %% %s = 0 ORDER BY a.id LIMIT %s""",
                [self.operation_id, max(1, sz.assignments // wanted), wanted],
            )
            made = self.instant(self.first_day - dt.timedelta(days=20), 9)
            for pk, country, venue_code, starts in self.cursor.fetchall():
                uid, lang = self.liaisons[country][0]
                add(uid, lang, "assignment_planned", Assignment, pk, f"/portal/assignments/{pk}/", made,
                    {"obj": f"#{pk} @ {venue_code}", "when": starts.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")})  # fmt: skip
        self.copier.copy(
            "notifications_notification",
            ["recipient_id", "event", "subject", "body", "url", "channel", "status", "attempts", "last_error",
             "created_at", "sent_at", "read_at", "content_type_id", "object_id", "dedup_key"],
            rows[: max(sz.notifications, 0)],
            label="notifications",
        )  # fmt: skip


# The texts of seeded notifications (notifications/messages.py renders from objects, one by one).
SEED_TEXTS = {
    ("request_sent", "en"): ("Reinforcement request: %(obj)s", "A reinforcement request was sent to you: %(obj)s."),
    ("request_sent", "fr"): ("Demande de renfort : %(obj)s", "Une demande de renfort vous a été envoyée : %(obj)s."),
    ("pledge_submitted", "en"): ("Pledge submitted: %(obj)s", "%(obj)s was submitted for a decision."),
    ("pledge_submitted", "fr"): ("Engagement soumis : %(obj)s", "%(obj)s a été soumis pour décision."),
    ("pledge_decided", "en"): ("Pledge decided: %(obj)s", "%(obj)s was decided: %(status)s. %(note)s"),
    ("pledge_decided", "fr"): ("Engagement décidé : %(obj)s", "%(obj)s a été décidé : %(status)s. %(note)s"),
    ("assignment_planned", "en"): ("Assignment planned: %(obj)s", "Assignment %(obj)s planned from %(when)s."),
    ("assignment_planned", "fr"): ("Affectation prévue : %(obj)s", "Affectation %(obj)s prévue à partir du %(when)s."),
}


# Who created each assignment; then every cancellation and confirmation and a quarter of the
# other changes, dated at the shift's start.
_ASSIGNMENT_HISTORY_SQL = """
INSERT INTO deployments_historicalassignment
    (id, quantity, starts_at, ends_at, role, status, status_reason, history_date, history_type, created_by_id,
     history_user_id, k9_team_id, pledge_id, pledge_line_id, venue_id)
SELECT a.id, a.quantity, a.starts_at, a.ends_at, a.role, h.status, h.reason, h.at, h.type, a.created_by_id,
       a.created_by_id, a.k9_team_id, a.pledge_id, a.pledge_line_id, a.venue_id
FROM deployments_assignment a
CROSS JOIN LATERAL (VALUES ('planned', '', a.created_at, '+'), (a.status, a.status_reason, a.starts_at, '~'))
    AS h(status, reason, at, type)
WHERE a.venue_id IN (SELECT id FROM deployments_venue WHERE operation_id = %(op)s)
  AND (h.type = '+' OR a.status IN ('cancelled', 'confirmed') OR (a.status <> 'planned' AND a.id %% 4 = 0))
"""


# --- Removal and checks ---------------------------------------------------------------------------

_DROP_SQL = """
CREATE TEMP TABLE _scale_requests ON COMMIT DROP AS
    SELECT id FROM reinforcements_reinforcementrequest WHERE operation_id = %(op)s;
CREATE TEMP TABLE _scale_pledges ON COMMIT DROP AS
    SELECT id FROM pledges_pledge WHERE request_id IN (SELECT id FROM _scale_requests);
CREATE TEMP TABLE _scale_venues ON COMMIT DROP AS
    SELECT id FROM deployments_venue WHERE operation_id = %(op)s;
CREATE TEMP TABLE _scale_assignments ON COMMIT DROP AS
    SELECT id FROM deployments_assignment
    WHERE venue_id IN (SELECT id FROM _scale_venues) OR pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM notifications_notification
    WHERE (content_type_id = %(ct_assignment)s AND object_id IN (SELECT id FROM _scale_assignments))
       OR (content_type_id = %(ct_pledge)s AND object_id IN (SELECT id FROM _scale_pledges))
       OR (content_type_id = %(ct_request)s AND object_id IN (SELECT id FROM _scale_requests));
DELETE FROM deployments_historicalassignment WHERE id IN (SELECT id FROM _scale_assignments);
DELETE FROM deployments_assignment WHERE id IN (SELECT id FROM _scale_assignments);
DELETE FROM deployments_historicalvenueneed WHERE venue_id IN (SELECT id FROM _scale_venues);
DELETE FROM deployments_venueneed WHERE venue_id IN (SELECT id FROM _scale_venues);
DELETE FROM deployments_historicalvenue WHERE operation_id = %(op)s;
DELETE FROM deployments_venue WHERE operation_id = %(op)s;
DELETE FROM pledges_historicalk9team WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_k9team WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_historicalpledgeline WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_pledgeline WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_historicalpledge WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM pledges_pledge WHERE id IN (SELECT id FROM _scale_pledges);
DELETE FROM reinforcements_historicalrequestline WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM reinforcements_requestline WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM reinforcements_historicalreinforcementrequest WHERE operation_id = %(op)s;
DELETE FROM reinforcements_reinforcementrequest WHERE operation_id = %(op)s;
DELETE FROM reinforcements_historicaloperation WHERE id = %(op)s;
DELETE FROM reinforcements_operation WHERE id = %(op)s;
"""


def drop_operation(operation_id: int) -> None:
    """Remove an operation and everything under it, history and notifications included, in SQL.

    The ORM's cascade would load every row and write a history row per deletion.
    The seeded users stay: they are reused by the next load.
    """
    params = {
        "op": operation_id,
        "ct_assignment": ContentType.objects.get_for_model(Assignment).pk,
        "ct_pledge": ContentType.objects.get_for_model(Pledge).pk,
        "ct_request": ContentType.objects.get_for_model(ReinforcementRequest).pk,
    }
    with connection.cursor() as cur:
        cur.execute(_DROP_SQL, params)


SCALE_TABLES = [
    "reinforcements_reinforcementrequest", "reinforcements_requestline", "pledges_pledge", "pledges_pledgeline",
    "pledges_k9team", "deployments_venue", "deployments_venueneed", "deployments_assignment",
    "deployments_historicalassignment", "notifications_notification",
]  # fmt: skip


def analyze() -> None:
    """Fresh planner statistics, and outside a transaction a visibility map too (index-only scans).

    After a bulk load the estimates would otherwise be for empty tables.
    """
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cur:
        for table in SCALE_TABLES:
            cur.execute(f"{command} {table}")


# SPEC §5, checked over a whole operation in SQL. Each query returns the number of offending rows.
RULE_CHECKS = {
    # The officers of a line on duty at any instant: a running sum over starts (+q) and ends (-q),
    # ends first at equal instants since [starts_at, ends_at) ranges only touch.
    "capacity_exceeded": """
        WITH live AS (
            SELECT a.pledge_line_id, a.starts_at, a.ends_at, a.quantity FROM deployments_assignment a
            JOIN deployments_venue v ON v.id = a.venue_id
            WHERE v.operation_id = %(op)s AND a.pledge_line_id IS NOT NULL AND a.status <> 'cancelled'
        ), events AS (
            SELECT pledge_line_id, starts_at AS t, quantity AS delta FROM live
            UNION ALL SELECT pledge_line_id, ends_at, -quantity FROM live
        ), loads AS (
            SELECT pledge_line_id, SUM(delta) OVER (PARTITION BY pledge_line_id ORDER BY t, delta
                                                   ROWS UNBOUNDED PRECEDING) AS load
            FROM events
        )
        SELECT COUNT(DISTINCT l.pledge_line_id) FROM loads l
        JOIN pledges_pledgeline pl ON pl.id = l.pledge_line_id WHERE l.load > pl.officers_accepted
    """,
    "k9_overlap": """
        SELECT COUNT(*) FROM deployments_assignment a JOIN deployments_assignment b
          ON a.k9_team_id = b.k9_team_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        JOIN deployments_venue v ON v.id = a.venue_id
        WHERE v.operation_id = %(op)s AND a.status <> 'cancelled' AND b.status <> 'cancelled'
    """,
    "not_accepted": """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN pledges_pledge p ON p.id = a.pledge_id
        LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
        LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND (
            p.status NOT IN ('accepted', 'partially_accepted')
            OR (l.id IS NOT NULL AND (l.officers_accepted = 0 OR l.pledge_id <> a.pledge_id))
            OR (t.id IS NOT NULL AND (NOT t.accepted OR t.pledge_id <> a.pledge_id)))
    """,
    "outside_availability": """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
        LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND (
            a.starts_at < (COALESCE(l.available_from, t.available_from)::timestamp AT TIME ZONE o.timezone)
            OR a.ends_at > ((COALESCE(l.available_to, t.available_to) + 1)::timestamp AT TIME ZONE o.timezone))
    """,
    "outside_operation": """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        JOIN pledges_pledge p ON p.id = a.pledge_id
        JOIN reinforcements_reinforcementrequest r ON r.id = p.request_id
        WHERE v.operation_id = %(op)s AND (
            r.operation_id <> o.id OR a.starts_at >= a.ends_at
            OR a.starts_at < (o.starts_on::timestamp AT TIME ZONE o.timezone)
            OR a.ends_at > ((o.ends_on + 1)::timestamp AT TIME ZONE o.timezone))
    """,
    "certification_expired": """
        SELECT COUNT(*) FROM deployments_assignment a
        JOIN deployments_venue v ON v.id = a.venue_id
        JOIN reinforcements_operation o ON o.id = v.operation_id
        JOIN pledges_k9team t ON t.id = a.k9_team_id
        WHERE v.operation_id = %(op)s AND a.status <> 'cancelled'
          AND a.ends_at > ((t.certification_expires_on + 1)::timestamp AT TIME ZONE o.timezone)
    """,
}


_FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.conrelid::regclass::text = ANY(%s)
"""


def foreign_key_orphans(tables: list[str]) -> dict[str, int]:
    """Rows of these tables whose single-column foreign key points at no row, per constraint."""
    out = {}
    with connection.cursor() as cur:
        cur.execute(_FOREIGN_KEYS_SQL, [tables])
        for table, column, target, target_column in cur.fetchall():
            cur.execute(
                f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
            )
            n = cur.fetchone()[0]
            if n:
                out[f"{table}.{column}"] = n
    return out


def rule_violations(operation_id: int) -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for name, sql in RULE_CHECKS.items():
            cur.execute(sql, {"op": operation_id})
            out[name] = cur.fetchone()[0]
        return out

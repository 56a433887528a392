"""Venues and their needs, then the assignments: squads of each accepted line on shifts that never
overlap, K9 teams one shift a day; their history derived in SQL from the loaded rows."""

import datetime as dt
import math

from demo.scale.copier import Table
from demo.scale.sizes import (
    EIGHT_HOURS,
    GAMES_DAYS,
    KNOWN_VENUES,
    ROLES,
    TWELVE_HOURS,
    VENUE_KINDS,
    VENUE_SPECIALTIES,
    split,
)
from deployments.models import Assignment, Venue, VenueNeed

Status = Assignment.Status


def seed_venues(s):
    rng, sz = s.rng, s.sz
    ids = s.copier.ids(Venue, sz.venues)
    rows = []
    s.venues = []
    for i, pk in enumerate(ids):
        if i < len(KNOWN_VENUES):
            name, kind = KNOWN_VENUES[i]
        else:
            kind = VENUE_KINDS[i % len(VENUE_KINDS)]
            name = f"{kind.replace('_', ' ').capitalize()} {i + 1}"
        code = f"v{i + 1:03d}"
        lat = round(48.75 + rng.random() * 0.25, 6)
        lon = round(2.2 + rng.random() * 0.3, 6)
        rows.append({"id": pk, "code": code, "name": name, "kind": kind,
                     "address": f"{rng.randint(1, 120)} rue de l'Exemple, Paris", "latitude": lat, "longitude": lon,
                     "operation_id": s.operation_id})  # fmt: skip
        s.venues.append({"id": pk, "code": code, "kind": kind, "specs": VENUE_SPECIALTIES[kind]})
    created = {"history_date": s.created, "history_type": "+", "history_user_id": s.coordinators[0]}
    s.copier.copy_with_history(Venue, rows, [{**r, **created} for r in rows], label="venues")
    # Needs: sessions of 4 to 12 hours on Games days, for the specialties the venue's kind needs.
    pairs = [(v, spec) for v in s.venues for spec in v["specs"]]
    needs = []
    for j, pk in enumerate(s.copier.ids(VenueNeed, sz.needs)):
        venue, spec = pairs[j % len(pairs)] if j < len(pairs) else rng.choice(pairs)
        day = s.first_day + dt.timedelta(days=rng.randrange(GAMES_DAYS))
        start = rng.choice((6, 8, 10, 14, 18))
        length = rng.choice((4, 6, 8, 10, 12))
        qty = rng.randint(1, 6) if spec.startswith("k9_") else rng.randint(5, 80)
        needs.append({"id": pk, "starts_at": s.iso(day, start), "ends_at": s.iso(day, start + length),
                      "quantity": qty, "specialty_id": s.specialty[spec], "venue_id": venue["id"]})  # fmt: skip
    s.copier.copy_with_history(VenueNeed, needs, [{**r, **created} for r in needs], label="venue needs")
    s.venues_by_spec: dict[str, list[dict]] = {}
    for v in s.venues:
        for spec in v["specs"]:
            s.venues_by_spec.setdefault(spec, []).append(v)


def _days(s, a_from: dt.date, a_to: dt.date) -> list[dt.date]:
    first, last = max(a_from, s.first_day), min(a_to, s.last_day)
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _squads(s, off_target: int) -> tuple[list[dict], list[int]]:
    """About 85% of each line's accepted officers in squads (the rest stay free for new placements),
    and how many shifts each squad works."""
    rng, sz = s.rng, s.sz
    squads = []
    line_days = {ln["id"]: _days(s, ln["from"], ln["to"]) for ln in s.accepted_lines}
    in_squads = {ln["id"]: max(1, math.floor(ln["accepted"] * 0.85)) for ln in s.accepted_lines}
    avg_days = (sum(len(d) for d in line_days.values()) / len(line_days)) if line_days else 0
    wanted_squads = math.ceil(off_target / max(1, 0.7 * avg_days)) if off_target else 0
    total_in_squads = sum(in_squads.values())
    if off_target and not s.accepted_lines:
        raise ValueError("no accepted officers to assign")
    squad_counts = {}
    if s.accepted_lines:
        counts = split(min(wanted_squads, total_in_squads), [in_squads[ln["id"]] for ln in s.accepted_lines])
        for ln, c in zip(s.accepted_lines, counts, strict=True):
            squad_counts[ln["id"]] = min(max(1, c), in_squads[ln["id"]])
    for ln in s.accepted_lines:
        c = squad_counts[ln["id"]]
        sizes = split(in_squads[ln["id"]], [rng.random() + 0.5 for _ in range(c)], minimum=1)
        venues = s.venues_by_spec.get(ln["spec"]) or s.venues
        for size in sizes:
            squads.append({"line": ln, "size": size, "days": line_days[ln["id"]],
                           "venue": rng.choice(venues), "pattern": rng.choice((EIGHT_HOURS, TWELVE_HOURS))})  # fmt: skip
    capacity = [len(q["days"]) * (3 if q["pattern"] is EIGHT_HOURS else 2) for q in squads]
    if off_target > sum(capacity):
        raise ValueError(
            f"{sz.assignments} assignments do not fit: officers can take at most "
            f"{sum(capacity) + (sz.assignments - off_target)}"
        )
    per_squad = split(off_target, [len(q["days"]) + 0.01 for q in squads]) if squads else []
    # A squad short of days takes extra shifts of its 8-hour pattern on the same days.
    overflow = 0
    for k, q in enumerate(squads):
        if per_squad[k] > len(q["days"]):
            q["pattern"] = EIGHT_HOURS
        if per_squad[k] > capacity[k]:
            overflow += per_squad[k] - capacity[k]
            per_squad[k] = capacity[k]
    for k in range(len(squads)):
        while overflow and per_squad[k] < capacity[k]:
            per_squad[k] += 1
            overflow -= 1
    return squads, per_squad


def seed_assignments(s):
    rng, sz = s.rng, s.sz
    # K9: one shift a day per accepted team, never on the day after its certification expires.
    k9_slots = sum(len(_days(s, t["from"], t["to"])) for t in s.accepted_teams)
    k9_target = min(k9_slots, round(sz.assignments * 0.12))
    squads, per_squad = _squads(s, sz.assignments - k9_target)

    table = Table(Assignment, ["quantity", "starts_at", "ends_at", "role", "status", "status_reason", "created_at",
                               "created_by_id", "k9_team_id", "pledge_id", "pledge_line_id", "venue_id"])  # fmt: skip
    line = table.template().format
    lines_out = []
    created = s.instant(s.first_day - dt.timedelta(days=20), 9)
    as_of = s.as_of
    coords = s.coordinators
    made_at = [(created + dt.timedelta(minutes=m)).isoformat() for m in range(0, 20 * 1440, 7)]
    slot = {}  # (day, hour) -> (ISO text, instant): 42 days x a few hours, computed once

    def at(day, hour):
        key = (day, hour)
        if key not in slot:
            slot[key] = (s.iso(day, hour), s.instant(day) + dt.timedelta(hours=hour))
        return slot[key]

    def emit(line_id, quantity, team_id, pledge_id, venue_id, day, hour, length):
        k = len(lines_out)
        starts, start_dt = at(day, hour)
        ends, end_dt = at(day, hour + length)
        r = rng.random()
        if r < 0.02:
            status, reason = Status.CANCELLED.value, "Session moved."
        elif end_dt <= as_of:
            status, reason = Status.COMPLETED.value, ""
        elif start_dt <= as_of:
            status, reason = Status.ACTIVE.value, ""
        else:
            status, reason = (Status.CONFIRMED.value if r < 0.45 else Status.PLANNED.value), ""
        lines_out.append(line(
            quantity=quantity, starts_at=starts, ends_at=ends, role=ROLES[k % len(ROLES)], status=status,
            status_reason=reason, created_at=made_at[k % len(made_at)], created_by_id=coords[k % len(coords)],
            k9_team_id=team_id, pledge_id=pledge_id, pledge_line_id=line_id, venue_id=venue_id,
        ))  # fmt: skip

    for k, q in enumerate(squads):
        n = per_squad[k]
        if not n:
            continue
        ln = q["line"]
        for day, (hour, length) in _shifts(s, q["days"], q["pattern"], n, ln["to"]):
            emit(ln["id"], q["size"], r"\N", ln["pledge"], q["venue"]["id"], day, hour, length)
    s.progress("officer assignments generated")
    # K9 teams: shifts spread over the accepted teams, one a day each.
    teams = s.accepted_teams
    per_team = split(k9_target, [len(_days(s, t["from"], t["to"])) + 0.01 for t in teams]) if teams else []
    for t, n in zip(teams, per_team, strict=True):
        days = _days(s, t["from"], t["to"])
        venue = rng.choice(s.venues_by_spec.get(t["spec"]) or s.venues)
        pattern = rng.choice((EIGHT_HOURS, TWELVE_HOURS))
        for day, (hour, length) in _shifts(s, days, pattern, min(n, len(days)), t["to"], one_a_day=True):
            emit(r"\N", r"\N", t["id"], t["pledge"], venue["id"], day, hour, length)
    short = sz.assignments - len(lines_out)
    if short:
        raise ValueError(f"generated {len(lines_out)} assignments, {short} short of {sz.assignments}")
    s.progress("K9 assignments generated")
    # Ids come from the table's identity; history is then derived from the loaded rows in SQL.
    s.copier.copy_lines(table, lines_out, label="assignments")
    s.cursor.execute(_assignment_history_sql(), {"op": s.operation_id})
    s.copier.tables.append(Assignment.history.model._meta.db_table)
    s.progress(f"assignment history: {s.cursor.rowcount} rows")


def _shifts(s, days, pattern, n, last_available, *, one_a_day=False):
    """n shifts at one of the pattern's times on distinct days; several a day only for a squad with
    more shifts than days. A night shift is never on the last day: it would end past availability."""
    last = min(last_available, s.last_day)

    def fits(day, shift):
        return shift[0] + shift[1] <= 24 or day < last

    shift = s.rng.choice(pattern)
    slots = [(d, shift) for d in days if fits(d, shift)]
    if n > len(slots) and not one_a_day:
        slots = [(d, x) for d in days for x in pattern if fits(d, x)]
    return slots if n >= len(slots) else sorted(s.rng.sample(slots, n))


# Who created each assignment; then every cancellation and confirmation and a quarter of the other
# changes, dated at the shift's start. What a history row holds besides the assignment's own columns:
_HISTORY_VALUES = {"status": "h.status", "status_reason": "h.reason", "history_date": "h.at", "history_type": "h.type",
                   "history_user_id": "a.created_by_id", "history_change_reason": "NULL"}  # fmt: skip


def _assignment_history_sql() -> str:
    fields = [f for f in Assignment.history.model._meta.concrete_fields if not f.primary_key]
    return f"""
INSERT INTO {Assignment.history.model._meta.db_table} ({", ".join(f.column for f in fields)})
SELECT {", ".join(_HISTORY_VALUES.get(f.attname, f"a.{f.column}") for f in fields)}
FROM {Assignment._meta.db_table} a
CROSS JOIN LATERAL (VALUES ('planned', '', a.created_at, '+'), (a.status, a.status_reason, a.starts_at, '~'))
    AS h(status, reason, at, type)
WHERE a.venue_id IN (SELECT id FROM {Venue._meta.db_table} WHERE operation_id = %(op)s)
  AND (h.type = '+' OR a.status IN ('cancelled', 'confirmed') OR (a.status <> 'planned' AND a.id %% 4 = 0))
"""

"""A proposal solved day by day (SPEC §10, deployments.proposals): each day's CP-SAT model holds only the
candidates of that day's gaps (so only the sources that can reach them), under a time limit of its own,
and sees what the days before proposed as its sources' own assignments.

The candidates come from deployments.candidates (set-wise, against the live assignments); a candidate
whose source an earlier day already used within two days of it is checked again here, in Python, against
that source's live and proposed assignments, with the checks the solver's module shares with it."""

import time
import zoneinfo
from collections import defaultdict

from deployments.candidates import Live, Pairs, instant, micros
from deployments.solver import DAY, DAY_US, Candidate, Loads, Timeline, minutes, solve, team_refusal

# At most this many candidates per need: the best by preference (same venue the day before, then nearest).
MAX_CANDIDATES = 25


class Timelines:
    """Each source's live assignments as a solver.Timeline of (start, end, quantity, venue id), built the
    first time the solver asks for that source; proposed placements are added as the days go."""

    def __init__(self, live: Live):
        self.live = live
        self.built = {}

    def get(self, key, default=None):
        if key not in self.built:
            items = [(instant(s), instant(e), q, v) for _id, s, e, q, v in self.live.rows(key)]
            self.built[key] = Timeline(items)
        return self.built[key] if self.built[key].items or default is None else default

    def add(self, key, item) -> None:
        self.get(key)
        self.built[key].add(item)


def plan(operation, gap_needs, gaps, pairs: Pairs, live: Live, venues, limit: float, progress) -> dict:
    """Solve the days in order: {"chosen": [(candidate, quantity)], "candidates": [...], "stats": {...}}."""
    rules = operation.rule_set
    modes = rules["modes"]
    rest_refused = modes.get("rest_too_short", "refuse") == "refuse"
    travel_refused = modes.get("travel_too_short", "refuse") == "refuse"
    tz = zoneinfo.ZoneInfo(operation.timezone)
    kept = pairs.best(2 * MAX_CANDIDATES)  # twice as many: an earlier day's placements may refuse some
    by_need = defaultdict(list)
    for p in kept.tolist():
        by_need[int(pairs.need[p])].append(p)
    days = defaultdict(list)
    for i, need in enumerate(gap_needs):
        days[need.starts_at.astimezone(tz).date()].append(i)
    timelines, loads = Timelines(live), Loads(live)
    spans = [(micros(n.starts_at), micros(n.ends_at)) for n in gap_needs]
    used = defaultdict(list)  # source key -> [(start, end)] proposed so far
    chosen, candidates = [], []
    stats = {"variables": 0, "covered_minutes": 0, "bound_minutes": 0, "days": len(days), "stages": {},
             "stage_seconds": {}, "solver_seconds": 0.0, "day_seconds_max": 0.0}  # fmt: skip
    for day_index, need_ids in enumerate(days.values()):
        todays = []
        for i in need_ids:
            found = [c for p in by_need[i] if (c := _candidate(p, gap_needs[i], spans[i], gaps, pairs, venues, timelines,
                                                              loads, used, rules, rest_refused, travel_refused))]  # fmt: skip
            found.sort(key=lambda c: (not c.lang, not c.same_venue, c.travel_km, -c.upper, c.source.pk))
            todays += found[:MAX_CANDIDATES]
        solving = time.monotonic()
        picked, day_stats = solve(todays, gaps, loads, rules, venues, rest_refused, travel_refused, limit)
        took = time.monotonic() - solving
        stats["solver_seconds"] += took
        stats["day_seconds_max"] = max(stats["day_seconds_max"], took)
        for c, qty in picked:
            key = (c.kind, c.source.pk)
            if c.kind == "team":  # a team's placements are checked again in Python (rest, travel): its timeline
                timelines.add(key, (c.starts_at, c.ends_at, qty, c.venue.pk))
            loads.add(key, c.s, c.e, qty)
            used[key].append((c.s, c.e, c.venue.pk))
        chosen += picked
        candidates += todays
        for key in ("variables", "covered_minutes", "bound_minutes"):
            stats[key] += day_stats.get(key, 0)
        for stage, took in day_stats.get("stage_seconds", {}).items():
            stats["stage_seconds"][stage] = round(stats["stage_seconds"].get(stage, 0) + took, 2)
        for stage, status in day_stats.get("stages", {}).items():
            counts = stats["stages"].setdefault(stage, {})
            counts[status] = counts.get(status, 0) + 1
        progress(20 + 60 * (day_index + 1) // len(days))
    stats["status"] = "OPTIMAL" if set(stats["stages"].get("covered", {})) <= {"OPTIMAL"} else "FEASIBLE"
    stats["solver_seconds"] = round(stats["solver_seconds"], 2)
    stats["day_seconds_max"] = round(stats["day_seconds_max"], 2)
    return {"chosen": chosen, "candidates": candidates, "stats": stats}


def _candidate(p, need, span, gaps, pairs, venues, timelines, loads, used, rules, rest_refused, travel_refused):
    """The candidate of pair `p`, or None if what an earlier day proposed for its source now refuses it.
    `span`: the need's (start, end) in µs; `used`: per source, the (start, end, venue id) proposed so far."""
    kind, source = pairs.sources[int(pairs.source[p])]
    key = (kind, source.pk)
    venue = venues.by_id[need.venue_id]
    upper, same_venue, km = int(pairs.upper[p]), bool(pairs.same_venue[p]), int(pairs.km[p])
    s, e = span
    near = [(ps, pe, pv) for ps, pe, pv in used.get(key, ()) if ps < e + 2 * DAY_US and pe > s - 2 * DAY_US]
    if near:
        if kind == "line":
            free = source.officers_accepted - loads.peak(key, s, e)
            if free <= 0:
                return None
            upper = min(gaps[need.pk], free)
        elif team_refusal(timelines.get(key).between(need.starts_at - 2 * DAY, need.ends_at + 2 * DAY),
                          need.starts_at, need.ends_at, venue, venues.by_id, rules, venues.overrides, rest_refused,
                          travel_refused):  # fmt: skip
            return None
        same_venue = same_venue or any(pv == venue.pk and ps < s and pe > s - 2 * DAY_US for ps, pe, pv in near)
        before = [(pe, pv) for ps, pe, pv in near if pe <= s and pe > pairs.last_end[p]]
        if before:
            km = int(venues.km[venues.index[max(before)[1]], venues.index[venue.pk]])
    return Candidate(
        index=None, kind=kind, source=source, need=need, venue=venue, starts_at=need.starts_at, ends_at=need.ends_at,
        upper=upper, minutes=minutes(need.starts_at, need.ends_at), lang=bool(pairs.lang[p]), same_venue=same_venue,
        travel_km=km, country=source.pledge.request.country, var=None, s=s, e=e, vi=venues.index[venue.pk],
    )  # fmt: skip

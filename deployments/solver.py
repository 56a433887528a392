"""The solver of proposals (SPEC §10, deployments.proposals): CP-SAT over the candidate placements, and the
cheap rule checks that filter them (rest, travel and duty of a K9 team against its own assignments)."""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict

from ortools.sat.python import cp_model

from deployments.rules.base import haversine_km
from deployments.rules.rest import rest_breached
from deployments.rules.travel import travel_minutes

DAY = dt.timedelta(hours=24)


class Timeline:
    """Intervals (start, end, ...) sorted by start, to read those near an instant without a scan: a line of
    the games-scale data has thousands of assignments over the operation."""

    def __init__(self, items):
        self.items = sorted(items, key=lambda i: i[0])
        self.starts = [i[0] for i in self.items]
        self.longest = max((i[1] - i[0] for i in self.items), default=dt.timedelta(0))

    def between(self, s0, e0) -> list:
        """The intervals overlapping [s0, e0)."""
        lo, hi = bisect_left(self.starts, s0 - self.longest), bisect_left(self.starts, e0)
        return [i for i in self.items[lo:hi] if i[1] > s0]

    def add(self, item) -> None:
        """One more interval (a placement proposed for an earlier day of the scope)."""
        i = bisect_right(self.starts, item[0])
        self.starts.insert(i, item[0])
        self.items.insert(i, item)
        self.longest = max(self.longest, item[1] - item[0])


class Candidate:
    """One placement the solver may choose: a source for a need's window (`var` its CP-SAT variable)."""

    __slots__ = (
        "country",
        "ends_at",
        "index",
        "kind",
        "lang",
        "minutes",
        "need",
        "same_venue",
        "source",
        "starts_at",
        "travel_km",
        "upper",
        "var",
        "venue",
    )  # fmt: skip

    def __init__(self, **kw):
        for key, value in kw.items():
            setattr(self, key, value)


EMPTY = Timeline([])
TICK = dt.timedelta(microseconds=1)


def minutes(start, end) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def overlap(a0, a1, b0, b1) -> int:
    return minutes(max(a0, b0), min(a1, b1))


def load_at(live, t) -> int:
    return sum(q for s, e, q, _v in live if s <= t < e)


def peak(live, s0, e0) -> int:
    instants = [s0] + [s for s, _e, _q, _v in live if s0 < s < e0]
    return max((load_at(live, t) for t in instants), default=0)


def window_load(live, w0) -> float:
    """Officer-minutes (or minutes) in [w0, w0 + 24 h)."""
    return sum(q * overlap(s, e, w0, w0 + DAY) for s, e, q, _v in live)


def gap_ok(gap: dt.timedelta, a_venue, b_venue, all_venues, rules, overrides, rest_refused, travel_refused):
    """None if two duties of one team `gap` apart (gap >= 0) at these venues break no rule, else the rule."""
    if rest_refused and rest_breached(gap, rules):
        return "rest"
    if travel_refused and a_venue != b_venue:
        need = travel_minutes(all_venues[a_venue], all_venues[b_venue], rules, overrides)
        if need is not None and gap < dt.timedelta(minutes=need):
            return "travel"
    return None


def team_refusal(mine, s0, e0, venue, all_venues, rules, overrides, rest_refused, travel_refused):
    for s, e, _q, v in mine:
        if s < e0 and e > s0:
            return "capacity"
        gap = s0 - e if e <= s0 else s - e0
        refused = gap_ok(gap, v, venue.pk, all_venues, rules, overrides, rest_refused, travel_refused)
        if refused:
            return refused
    if window_peak(mine, [(s0, e0, 1)]) > rules["max_duty_hours"] * 60:
        return "duty"
    return None


def window_peak(live, extra) -> float:
    """The heaviest 24 h (in minutes × quantity) of `live` plus `extra` [(start, end, q)] over windows that
    touch `extra`: the load is piecewise linear in the window's start, so starts and ends - 24 h suffice."""
    items = [(s, e, q) for s, e, q, _v in live] + list(extra)
    anchors = {s for s, _e, _q in items} | {e - DAY for _s, e, _q in items}
    best = 0
    for w in anchors:
        if any(s < w + DAY and e > w for s, e, _q in extra):
            best = max(best, sum(q * overlap(s, e, w, w + DAY) for s, e, q in items))
    return best


def nearest_km(mine, at, venue, all_venues) -> int:
    before = [(e, v) for s, e, _q, v in mine if e <= at]
    if not before:
        return 0
    other = all_venues.get(max(before)[1])
    if other is None or None in (other.latitude, other.longitude, venue.latitude, venue.longitude):
        return 0
    return round(haversine_km(other.latitude, other.longitude, venue.latitude, venue.longitude))


def solve(candidates, gaps, live, rules, all_venues, overrides, rest_refused, travel_refused, limit):
    """CP-SAT over the candidates within `limit` seconds: [(candidate, quantity)] chosen, and the solver's
    figures."""
    model = cp_model.CpModel()
    for i, c in enumerate(candidates):
        c.index = i
        c.var = model.new_bool_var(f"t{i}") if c.kind == "team" else model.new_int_var(0, c.upper, f"l{i}")
    by_need, by_source = defaultdict(list), defaultdict(list)
    for c in candidates:
        by_need[c.need.pk].append(c)
        by_source[(c.kind, c.source.pk)].append(c)
    for need_id, items in by_need.items():
        model.add(sum(c.var for c in items) <= gaps[need_id])
    duty_minutes = int(rules["max_duty_hours"] * 60)
    horizon = max(DAY, dt.timedelta(hours=rules["min_rest_hours"]))
    for key, items in by_source.items():
        timeline = live.get(key, EMPTY)
        items.sort(key=lambda c: (c.starts_at, c.index))
        chosen = Timeline([(c.starts_at, c.ends_at, c) for c in items])
        source = items[0].source
        if key[0] == "line":
            # Officers on duty at once: the load only rises where something starts.
            instants = {c.starts_at for c in items}
            for c in items:
                instants |= {s for s, *_r in timeline.between(c.starts_at, c.ends_at) if s > c.starts_at}
            for t in sorted(instants):
                covering = [c for _s, _e, c in chosen.between(t, t + TICK)]
                busy = sum(q for _s, _e, q, _v in timeline.between(t, t + TICK))
                if covering and (len(covering) > 1 or busy):
                    model.add(sum(c.var for c in covering) <= source.officers_accepted - busy)
            cap = duty_minutes * source.officers_accepted
        else:
            # Two candidates of one team: not overlapping, and rest and travel between them.
            for a_i, a in enumerate(items):
                for b in items[a_i + 1 :]:
                    if b.starts_at >= a.ends_at + horizon:
                        break
                    if (b.starts_at < a.ends_at
                            or gap_ok(b.starts_at - a.ends_at, a.venue.pk, b.venue.pk, all_venues, rules, overrides,
                                      rest_refused, travel_refused)):  # fmt: skip
                        model.add_bool_or([a.var.Not(), b.var.Not()])
            cap = duty_minutes
        # Duty in every 24 h that holds a candidate (the load is piecewise linear in the window's start).
        anchors = {c.starts_at for c in items} | {c.ends_at - DAY for c in items}
        for c in items:
            near = timeline.between(c.starts_at - DAY, c.ends_at + DAY)
            anchors |= {s for s, *_r in near} | {e - DAY for _s, e, *_r in near}
        for w in sorted(anchors):
            terms = [(c, overlap(c.starts_at, c.ends_at, w, w + DAY)) for _s, _e, c in chosen.between(w, w + DAY)]
            terms = [(c, m) for c, m in terms if m]
            room = cap - sum(q * overlap(s, e, w, w + DAY) for s, e, q, _v in timeline.between(w, w + DAY))
            if terms and sum(m * c.upper for c, m in terms) > room:
                model.add(sum(m * c.var for c, m in terms) <= int(room))
    stats = {"variables": len(candidates), "status": "empty"}
    if not candidates:
        return [], stats
    covered = sum(c.minutes * c.var for c in candidates)
    preference = sum((1000 * c.lang + c.same_venue) * c.var for c in candidates)
    countries = sorted({c.country for c in candidates})
    # Duty minutes proposed per officer (or team) of the country that could be placed: its "share".
    capacity = {k: max(1, sum(c.upper for c in candidates if c.country == k)) for k in countries}
    most = max(sum(c.minutes * c.upper for c in candidates if c.country == k) // capacity[k] + 1 for k in countries)
    share = model.new_int_var(0, most, "max_share")
    for country in countries:
        model.add(sum(c.minutes * c.var for c in candidates if c.country == country) <= share * capacity[country])
    travel = sum(c.travel_km * c.var for c in candidates)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    stages = [("covered", covered, 1), ("preference", preference, 1), ("fairness", share, -1), ("travel", travel, -1)]
    bound, chosen = None, []
    for n, (name, expr, sense) in enumerate(stages):
        if sense > 0:
            model.maximize(expr)
        else:
            model.minimize(expr)
        solver.parameters.max_time_in_seconds = limit * (0.55 if n == 0 else 0.15)
        result = solver.solve(model)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        value = int(solver.objective_value)
        if n == 0:
            bound = int(solver.best_objective_bound)
            stats.update(status=solver.status_name(result), covered_minutes=value, bound_minutes=bound)
        stats[name] = value
        stats.setdefault("stages", {})[name] = solver.status_name(result)
        # Keep this stage's optimum (or what was found) for the next ones, and start them from it.
        model.add(expr >= value if sense > 0 else expr <= value)
        model.clear_hints()
        for c in candidates:
            model.add_hint(c.var, solver.value(c.var))
        chosen = [(c, solver.value(c.var)) for c in candidates if solver.value(c.var)]
    return chosen, stats

"""The solver of proposals (SPEC §10, deployments.proposals): CP-SAT over the candidate placements, and the
cheap rule checks that filter them (rest, travel and duty of a K9 team against its own assignments)."""

import datetime as dt
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from deployments.rules.rest import rest_breached
from deployments.rules.travel import travel_minutes

DAY = dt.timedelta(hours=24)
US = 1_000_000
MINUTE = 60 * US
DAY_US = 86_400 * US


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
        "e",
        "ends_at",
        "index",
        "kind",
        "lang",
        "minutes",
        "need",
        "s",
        "same_venue",
        "source",
        "starts_at",
        "travel_km",
        "upper",
        "var",
        "venue",
        "vi",
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


class Loads:
    """Each source's live assignments, and those proposed on earlier days, as a step function over integer
    microseconds (deployments.candidates.Live): the load at an instant, the officer-minutes in a 24 h
    window (exact, rounded up), the instants where it changes."""

    def __init__(self, live):
        self.live = live
        self.extra = defaultdict(list)
        self.cache = {}

    def add(self, key, s: int, e: int, q: int) -> None:
        self.extra[key].append((s, e, q))
        self.cache.pop(key, None)

    def steps(self, key):
        if key not in self.cache:
            sl = self.live.of(key)
            more = np.array(self.extra.get(key, []), dtype=np.int64).reshape(-1, 3)
            s = np.concatenate((self.live.s[sl], more[:, 0]))
            e = np.concatenate((self.live.e[sl], more[:, 1]))
            q = np.concatenate((self.live.q[sl], more[:, 2]))
            t, d = np.concatenate((s, e)), np.concatenate((q, -q))
            order = np.argsort(t, kind="stable")
            times, first = np.unique(t[order], return_index=True)
            load = np.cumsum(np.add.reduceat(d[order], first)) if len(t) else np.zeros(0, dtype=np.int64)
            area = np.concatenate(([0], np.cumsum(load[:-1] * np.diff(times)))) if len(t) else load
            self.cache[key] = (times, load, area, s, e)
        return self.cache[key]

    def _at(self, key, ts):
        times, load, area, _s, _e = self.steps(key)
        i = np.searchsorted(times, ts, side="right") - 1
        j = np.maximum(i, 0)
        if not len(times):
            return np.zeros(len(ts), dtype=np.int64), np.zeros(len(ts), dtype=np.int64)
        return np.where(i >= 0, load[j], 0), np.where(i >= 0, area[j] + load[j] * (ts - times[j]), 0)

    def peak(self, key, s: int, e: int) -> int:
        """The most on duty at once over [s, e) (rules.capacity)."""
        times, load, *_r = self.steps(key)
        i0 = np.searchsorted(times, s, side="right") - 1
        i1 = np.searchsorted(times, e, side="left") - 1
        inside = load[max(i0 + 1, 0) : i1 + 1]
        return int(max(load[i0] if i0 >= 0 else 0, inside.max(initial=0)))

    def load_at(self, key, ts):
        return self._at(key, ts)[0]

    def minutes_in(self, key, ws):
        """Officer-minutes (minutes for a team) in [w, w + 24 h), rounded up."""
        area = self._at(key, ws + DAY_US)[1] - self._at(key, ws)[1]
        return -(-area // MINUTE)

    def near(self, key, lo, hi):
        """Starts and ends of the assignments overlapping [lo, hi)."""
        *_r, s, e = self.steps(key)
        m = (s < hi) & (e > lo)
        return s[m], e[m]


def _constrain(model, seen, terms, room):
    """Σ m × var ≤ room, once per distinct left-hand side (the tightest room kept)."""
    key = tuple((id(v), m) for v, m in terms)
    if key in seen and seen[key][0] <= room:
        return
    seen[key] = (room, terms)


def solve(candidates, gaps, loads: Loads, rules, venues, rest_refused, travel_refused, limit):
    """CP-SAT over the candidates within `limit` seconds: [(candidate, quantity)] chosen, and the solver's
    figures. Times are the candidates' `s` and `e` (µs), venues their index `vi` in `venues`."""
    model = cp_model.CpModel()
    for i, c in enumerate(candidates):
        c.index = i
        c.var = model.new_bool_var(f"t{i}") if c.kind == "team" else model.new_int_var(0, c.upper, f"l{i}")
    by_need, by_source = defaultdict(list), defaultdict(list)
    for c in candidates:
        by_need[c.need.pk].append(c)
        by_source[(c.kind, c.source.pk)].append(c)
    for need_id, items in by_need.items():
        model.add(LinearExpr.sum([c.var for c in items]) <= gaps[need_id])
    duty_minutes = int(rules["max_duty_hours"] * 60)
    horizon = max(DAY_US, int(rules["min_rest_hours"] * 3600 * US))
    brk, rest = rules["max_break_minutes"] * MINUTE, int(rules["min_rest_hours"] * 3600 * US)
    seen = {}
    for key, items in by_source.items():
        items.sort(key=lambda c: (c.s, c.index))
        s = np.array([c.s for c in items], dtype=np.int64)
        e = np.array([c.e for c in items], dtype=np.int64)
        upper = np.array([c.upper for c in items], dtype=np.int64)
        live_s, live_e = loads.near(key, s.min() - DAY_US, e.max() + DAY_US)
        if key[0] == "line":
            accepted = items[0].source.officers_accepted
            # Officers on duty at once: the load only rises where something starts.
            inside = (
                live_s[((live_s[:, None] > s[None]) & (live_s[:, None] < e[None])).any(1)] if len(live_s) else s[:0]
            )
            instants = np.unique(np.concatenate((s, inside)))
            cover = (s[None] <= instants[:, None]) & (e[None] > instants[:, None])
            busy = loads.load_at(key, instants)
            for r in range(len(instants)):
                idx = np.flatnonzero(cover[r])
                if len(idx) and (len(idx) > 1 or busy[r]):
                    _constrain(model, seen, [(items[i].var, 1) for i in idx], max(0, int(accepted - busy[r])))
            cap = duty_minutes * accepted
        else:
            # Two candidates of one team: not overlapping, and rest and travel between them.
            for a_i, a in enumerate(items):
                for b in items[a_i + 1 :]:
                    if b.s >= a.e + horizon:
                        break
                    gap = b.s - a.e
                    need = venues.travel[a.vi, b.vi]
                    if (gap < 0 or (rest_refused and brk < gap < rest)
                            or (travel_refused and a.vi != b.vi and not np.isnan(need) and gap < need * MINUTE)):  # fmt: skip
                        model.add_bool_or([a.var.Not(), b.var.Not()])
            cap = duty_minutes
        # Duty in every 24 h that holds a candidate (the load is piecewise linear in the window's start).
        anchors = np.unique(np.concatenate((s, e - DAY_US, live_s, live_e - DAY_US)))
        m = np.maximum(0, np.minimum(e[None], anchors[:, None] + DAY_US) - np.maximum(s[None], anchors[:, None]))
        m = -(-m // MINUTE)
        room = np.maximum(0, cap - loads.minutes_in(key, anchors))
        for r in np.flatnonzero((m * upper[None]).sum(1) > room):
            idx = np.flatnonzero(m[r])
            _constrain(model, seen, [(items[i].var, int(m[r, i])) for i in idx], int(room[r]))
    for room, terms in seen.values():
        model.add(LinearExpr.weighted_sum([v for v, _m in terms], [mm for _v, mm in terms]) <= room)
    stats = {"variables": len(candidates), "constraints": len(seen), "status": "empty"}
    if not candidates:
        return [], stats
    variables = [c.var for c in candidates]
    covered = LinearExpr.weighted_sum(variables, [c.minutes for c in candidates])
    preference = LinearExpr.weighted_sum(variables, [1000 * c.lang + c.same_venue for c in candidates])
    countries = sorted({c.country for c in candidates})
    # Duty minutes proposed per officer (or team) of the country that could be placed: its "share".
    capacity = {k: max(1, sum(c.upper for c in candidates if c.country == k)) for k in countries}
    most = max(sum(c.minutes * c.upper for c in candidates if c.country == k) // capacity[k] + 1 for k in countries)
    share = model.new_int_var(0, most, "max_share")
    for country in countries:
        mine = [c for c in candidates if c.country == country]
        model.add(
            LinearExpr.weighted_sum([c.var for c in mine], [c.minutes for c in mine]) <= share * capacity[country]
        )
    travel = LinearExpr.weighted_sum(variables, [c.travel_km for c in candidates])
    # Fairness, then travel: one stage (travel never outweighs one unit of share).
    fairness = share * (sum(c.travel_km * c.upper for c in candidates) + 1) + travel
    for c in candidates:  # nothing placed is a solution: the first stage never ends without one
        model.add_hint(c.var, 0)
    model.add_hint(share, 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    # The first stage has the day's limit (and once more four times it, should it end without a solution);
    # the others what is left of it, each within a little deterministic work: they polish, the first decides.
    deadline = time.monotonic() + limit
    stages = [("covered", covered, 1, None), ("preference", preference, 1, 0.1), ("fairness", fairness, -1, 0.1)]
    chosen = []
    for name, expr, sense, work in stages:
        if sense > 0:
            model.maximize(expr)
        else:
            model.minimize(expr)
        left = deadline - time.monotonic()
        if work is not None and left < 0.1:
            break
        solver.parameters.max_time_in_seconds = max(left, 0.05)
        solver.parameters.max_deterministic_time = work or 1e9
        result = solver.solve(model)
        if work is None and result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver.parameters.max_time_in_seconds = 4 * limit
            result = solver.solve(model)
        stats.setdefault("stage_seconds", {})[name] = round(solver.wall_time, 3)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        value = int(solver.objective_value)
        if name == "covered":
            bound = int(solver.best_objective_bound)
            stats.update(status=solver.status_name(result), covered_minutes=value, bound_minutes=bound)
        stats[name] = value
        stats.setdefault("stages", {})[name] = solver.status_name(result)
        # Keep this stage's optimum (or what was found) for the next ones, and start them from it.
        model.add(expr >= value if sense > 0 else expr <= value)
        model.clear_hints()
        for c in candidates:
            model.add_hint(c.var, solver.value(c.var))
        model.add_hint(share, solver.value(share))  # a complete hint: the next stage starts from a solution
        chosen = [(c, solver.value(c.var)) for c in candidates if solver.value(c.var)]
    return chosen, stats

"""The candidate placements of a proposal (SPEC §10, deployments.proposals), built set-wise: the needs, the
sources and their live assignments are read once (one query each), indexed by source, and every rule the
proposal checks before the solver is evaluated for all the needs of a source at once with numpy (times as
integer microseconds), not one need and one source at a time.

The pre-filter is the rule engine's (deployments.rules) checks written over arrays, and never looser:
availability, legal status and language (against every need the placement would cover, as
rules.needs does, not only the one it is for), K9 readiness and certification, a line's free officers at
its busiest instant, a K9 team's overlap, rest, travel (against every live assignment within two days,
not only the neighbours: the placements may be made in any order) and duty. A line's duty, and what the
proposal itself places, are the solver's constraints (deployments.solver)."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import numpy as np
from django.db import connection

from deployments.models import Venue, VenueNeed, VenuePair
from deployments.rules.base import haversine_km
from deployments.rules.travel import travel_minutes

US = 1_000_000
MINUTE = 60 * US
DAY = 86_400 * US
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Checked in this order; a pair refused by one is not checked by the next (its reason is the first).
CHECKS = ("legal_status", "language", "capacity", "readiness", "rest", "travel", "duty")


def micros(value: dt.datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def instant(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(us))


_LIVE_SQL = """
SELECT (k9_team_id IS NOT NULL)::int, COALESCE(pledge_line_id, k9_team_id), id,
       (EXTRACT(EPOCH FROM starts_at) * 1000000)::bigint, (EXTRACT(EPOCH FROM ends_at) * 1000000)::bigint,
       COALESCE(quantity, 1), venue_id
FROM deployments_assignment
WHERE (pledge_line_id = ANY(%(lines)s::bigint[]) OR k9_team_id = ANY(%(teams)s::bigint[]))
  AND status <> 'cancelled' AND starts_at < %(hi)s AND ends_at > %(lo)s
ORDER BY 1, 2, 4, 3
"""


class Live:
    """The live assignments of the sources near a scope, as arrays sorted by (kind, source, start):
    kind (0 line, 1 team), source, id, start, end (µs), quantity, venue id. `of(key)` is one source's slice."""

    def __init__(self, line_ids, team_ids, lo: dt.datetime, hi: dt.datetime):
        with connection.cursor() as cur:
            cur.execute(_LIVE_SQL, {"lines": list(line_ids), "teams": list(team_ids), "lo": lo, "hi": hi})
            rows = cur.fetchall()
        data = np.array(rows, dtype=np.int64).reshape(-1, 7)
        self.kind, self.source, self.id, self.s, self.e, self.q, self.venue = data.T
        self.bounds = {}
        if len(data):
            change = np.flatnonzero((np.diff(self.kind) != 0) | (np.diff(self.source) != 0)) + 1
            starts = np.concatenate(([0], change))
            ends = np.concatenate((change, [len(data)]))
            kinds = ("line", "team")
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                self.bounds[(kinds[self.kind[a]], int(self.source[a]))] = (a, b)

    def of(self, key) -> slice:
        a, b = self.bounds.get(key, (0, 0))
        return slice(a, b)

    def rows(self, key):
        """One source's live assignments, (id, start, end, quantity, venue id) in µs, by start."""
        sl = self.of(key)
        return zip(self.id[sl].tolist(), self.s[sl].tolist(), self.e[sl].tolist(), self.q[sl].tolist(),
                   self.venue[sl].tolist(), strict=True)  # fmt: skip


class Venues:
    """The operation's venues as indexes, with the travel minutes (nan: not checked) and the kilometres
    between each pair (0 without coordinates), as the rules compute them."""

    def __init__(self, operation):
        self.by_id = Venue.objects.in_bulk(Venue.objects.filter(operation=operation).values_list("pk", flat=True))
        ids = sorted(self.by_id)
        self.index = {pk: i for i, pk in enumerate(ids)}
        self.ids = np.array(ids, dtype=np.int64)
        pairs = VenuePair.objects.filter(venue_a__operation=operation).values_list(
            "venue_a_id", "venue_b_id", "minutes"
        )
        self.overrides = {(min(a, b), max(a, b)): m for a, b, m in pairs}
        rules = operation.rule_set
        n = len(ids)
        self.travel = np.full((n, n), np.nan)
        self.km = np.zeros((n, n), dtype=np.int64)
        for i, a in enumerate(ids):
            va = self.by_id[a]
            for j, b in enumerate(ids[i + 1 :], start=i + 1):
                vb = self.by_id[b]
                minutes = travel_minutes(va, vb, rules, self.overrides)
                self.travel[i, j] = self.travel[j, i] = np.nan if minutes is None else minutes
                if None not in (va.latitude, va.longitude, vb.latitude, vb.longitude):
                    self.km[i, j] = self.km[j, i] = round(
                        haversine_km(va.latitude, va.longitude, vb.latitude, vb.longitude)
                    )

    def indexes(self, venue_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, venue_ids)


def _requirement_ok(sources, needs_all, gap_needs, refuse_language, refuse_legal):
    """Per gap need and source: (fits legally, speaks) over every need the placement would cover — the
    needs of its venue and specialty overlapping its window that ask anything (rules.needs) — and whether
    the source speaks one of the need's own languages (the preference). Grouped by what is asked."""
    by_pair = defaultdict(list)
    for n in needs_all:
        if n.languages or n.legal_status or n.armed is not None:
            by_pair[(n.venue_id, n.specialty_id)].append(n)
    n_src = len(sources)
    legal = np.ones((len(gap_needs), n_src), dtype=bool)
    speaks = np.ones((len(gap_needs), n_src), dtype=bool)
    own = np.zeros((len(gap_needs), n_src), dtype=bool)
    langs = [set(getattr(s, "languages", None) or ()) for s in sources]
    status = [s.legal_status for s in sources]
    armed = [s.armed for s in sources]
    cache = {}

    def row(asks):
        if asks not in cache:
            languages, legal_status, need_armed = asks
            cache[asks] = (
                np.array([(not legal_status or st == legal_status) and (need_armed is None or ar == need_armed)
                          for st, ar in zip(status, armed, strict=True)]),
                np.array([not languages or bool(lg & set(languages)) for lg in langs]),
            )  # fmt: skip
        return cache[asks]

    for i, need in enumerate(gap_needs):
        if need.languages:
            own[i] = row((tuple(sorted(need.languages)), None, None))[1]
        for other in by_pair.get((need.venue_id, need.specialty_id), ()):
            if other.starts_at < need.ends_at and other.ends_at > need.starts_at:
                fits, talks = row((tuple(sorted(other.languages)), other.legal_status or None, other.armed))
                legal[i] &= fits
                speaks[i] &= talks
    if not refuse_legal:
        legal[:] = True
    if not refuse_language:
        speaks[:] = True
    return legal, speaks, own


def _range_max(values, lo, hi, base):
    """Per query, the largest of values[lo..hi] (inclusive) and base; lo > hi: base."""
    out = base.copy()
    if not len(values):
        return out
    span = int((hi - lo).max(initial=-1)) + 1
    for d in range(span):
        idx = lo + d
        ok = idx <= hi
        out = np.where(ok, np.maximum(out, values[np.minimum(idx, len(values) - 1)]), out)
    return out


def _line_peak(live, sl, s, e):
    """The most officers of a line on duty at once over each window [s, e) (rules.capacity)."""
    t = np.concatenate((live.s[sl], live.e[sl]))
    d = np.concatenate((live.q[sl], -live.q[sl]))
    if not len(t):
        return np.zeros(len(s), dtype=np.int64)
    order = np.argsort(t, kind="stable")
    t, d = t[order], d[order]
    times, first = np.unique(t, return_index=True)
    load = np.cumsum(np.add.reduceat(d, first))
    i0 = np.searchsorted(times, s, side="right") - 1
    at_start = np.where(i0 >= 0, load[np.maximum(i0, 0)], 0)
    i1 = np.searchsorted(times, e, side="left") - 1
    return _range_max(load, i0 + 1, i1, at_start)


def _same_venue_and_km(live, sl, s, v_idx, venues):
    """Per need: whether the source has a live assignment at its venue begun before and ending within two
    days before it starts, the kilometres from the venue of the one ending last before it (0 if none) and
    when that one ends (-1 if none)."""
    n = len(s)
    if sl.start == sl.stop:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    vi = venues.indexes(live.venue[sl])
    ls, le = live.s[sl], live.e[sl]
    same = np.zeros(n, dtype=bool)
    for venue in np.unique(v_idx):
        at = vi == venue
        if not at.any():
            continue
        ask = v_idx == venue
        starts, ends = ls[at], le[at]
        order = np.argsort(starts, kind="stable")
        starts, top = starts[order], np.maximum.accumulate(ends[order])
        k = np.searchsorted(starts, s[ask], side="left") - 1
        same[ask] = (k >= 0) & (top[np.maximum(k, 0)] > s[ask] - 2 * DAY)
    order = np.lexsort((live.venue[sl], le))
    ends, last_venue = le[order], vi[order]
    k = np.searchsorted(ends, s, side="right") - 1
    valid = (k >= 0) & (ends[np.maximum(k, 0)] > s - 2 * DAY)
    km = np.where(valid, venues.km[last_venue[np.maximum(k, 0)], v_idx], 0)
    return same, km, np.where(valid, ends[np.maximum(k, 0)], -1)


def _team_refusals(live, sl, s, e, v_idx, venues, rules, modes):
    """Per need: 0 if the team may take it, else the CHECKS index of the first refusal among overlap
    ('capacity'), rest, travel and duty, against every live assignment within two days (solver.team_refusal)."""
    n = len(s)
    out = np.full(n, -1)
    ts, te = live.s[sl], live.e[sl]
    if not len(ts):
        return out
    tv = venues.indexes(live.venue[sl])
    k = np.searchsorted(ts, e, side="left") - 1  # the last one starting before the window ends
    overlap = (k >= 0) & (te[np.maximum(k, 0)] > s)
    out[overlap] = CHECKS.index("capacity")
    lo = np.searchsorted(te, s - 2 * DAY, side="right")  # the first ending after two days before
    hi = np.searchsorted(ts, e + 2 * DAY, side="left") - 1  # the last starting before two days after
    brk, rest = rules["max_break_minutes"] * MINUTE, rules["min_rest_hours"] * 3600 * US
    near = []
    for d in range(int((hi - lo).max(initial=-1)) + 1):
        idx = lo + d
        ok = (idx <= hi) & ~overlap
        j = np.minimum(idx, len(ts) - 1)
        near.append((ok, j))
        gap = np.where(te[j] <= s, s - te[j], ts[j] - e)
        if modes["rest"]:
            breach = ok & (gap > brk) & (gap < rest)
            out[breach & (out < 0)] = CHECKS.index("rest")
        if modes["travel"]:
            need = venues.travel[tv[j], v_idx]
            breach = ok & (tv[j] != v_idx) & ~np.isnan(need) & (gap < np.nan_to_num(need) * MINUTE)
            out[breach & (out < 0)] = CHECKS.index("travel")
    # Duty: the heaviest 24 h touching the window, over windows starting at a start or ending at an end.
    cap = rules["max_duty_hours"] * 60
    items = [(s, e, out < 0)] + [(ts[j], te[j], ok) for ok, j in near]
    heaviest = np.zeros(n, dtype=np.int64)
    for w in [x for a, b, _ok in items for x in (a, b - DAY)]:
        touches = (w < e) & (w + DAY > s)
        load = np.zeros(n, dtype=np.int64)
        for a, b, ok in items:
            load += np.where(ok, np.maximum(0, (np.minimum(b, w + DAY) - np.maximum(a, w)) // MINUTE), 0)
        heaviest = np.where(touches, np.maximum(heaviest, load), heaviest)
    out[(heaviest > cap) & (out < 0)] = CHECKS.index("duty")
    return out


class Pairs:
    """Every (gap need, source) that passes the pre-filter, with what the solver and the preference need:
    need and source indexes, upper bound, language match, same venue the days before, kilometres (and when
    the assignment they are counted from ends); and per need the reasons its other sources were refused."""

    def __init__(self, operation, gap_needs: list[VenueNeed], gaps: dict, lines, teams, live: Live, venues: Venues):
        rules = operation.rule_set
        tz = zoneinfo.ZoneInfo(operation.timezone)
        modes = {
            code: rules["modes"].get(name, "refuse") == "refuse"
            for code, name in (("language", "language_mismatch"), ("legal", "legal_status_mismatch"),
                               ("rest", "rest_too_short"), ("travel", "travel_too_short"))
        }  # fmt: skip
        self.sources = [("line", x) for x in lines] + [("team", x) for x in teams]
        objs = [x for _k, x in self.sources]
        specialty_of = {need.specialty_id: need.specialty for need in gap_needs}
        needs_all = list(
            VenueNeed.objects.filter(venue__operation=operation, specialty_id__in=list(specialty_of))
        )  # the needs a placement may cover: their languages and legal status
        legal, speaks, own = _requirement_ok(objs, needs_all, gap_needs, modes["language"], modes["legal"])
        n = len(gap_needs)
        s = np.array([micros(x.starts_at) for x in gap_needs], dtype=np.int64)
        e = np.array([micros(x.ends_at) for x in gap_needs], dtype=np.int64)
        first = np.array([x.starts_at.astimezone(tz).date().toordinal() for x in gap_needs], dtype=np.int64)
        last = np.array([(x.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date().toordinal()
                         for x in gap_needs], dtype=np.int64)  # fmt: skip
        v_idx = venues.indexes(np.array([x.venue_id for x in gap_needs], dtype=np.int64))
        gap = np.array([gaps[x.pk] for x in gap_needs], dtype=np.int64)
        pool = defaultdict(list)
        for i, need in enumerate(gap_needs):
            code = specialty_of[need.specialty_id].code
            pool[("team", code.removeprefix("k9_")) if code.startswith("k9_") else ("line", need.specialty_id)].append(
                i
            )
        pool = {key: np.array(idx, dtype=np.int64) for key, idx in pool.items()}
        self.why = [set() for _ in range(n)]
        found = []  # (need indexes, source index, upper, same venue, km) per source
        for si, (kind, src) in enumerate(self.sources):
            group = pool.get(("line", src.specialty_id) if kind == "line" else ("team", src.detection))
            if group is None:
                continue
            ok = (src.available_from.toordinal() <= first[group]) & (src.available_to.toordinal() >= last[group])
            idx = group[ok]
            if not len(idx):
                continue
            reason = np.full(len(idx), -1)
            reason[~legal[idx, si]] = CHECKS.index("legal_status")
            reason[(reason < 0) & ~speaks[idx, si]] = CHECKS.index("language")
            sl = live.of((kind, src.pk))
            if kind == "line":
                free = src.officers_accepted - _line_peak(live, sl, s[idx], e[idx])
                reason[(reason < 0) & (free <= 0)] = CHECKS.index("capacity")
                upper = np.minimum(gap[idx], free)
            else:
                ready = _ready_at(src, tz)
                unready = (src.certification_expires_on.toordinal() < last[idx]) | (ready is None)
                if ready is not None:
                    unready |= s[idx] < micros(ready)
                reason[(reason < 0) & unready] = CHECKS.index("readiness")
                pending = reason < 0
                if pending.any():
                    sub = idx[pending]
                    refused = _team_refusals(live, sl, s[sub], e[sub], v_idx[sub], venues, rules, modes)
                    reason[pending] = refused
                upper = np.ones(len(idx), dtype=np.int64)
            for code in np.unique(reason[reason >= 0]).tolist():
                for i in idx[reason == code].tolist():
                    self.why[i].add(CHECKS[code])
            keep = reason < 0
            if keep.any():
                idx = idx[keep]
                same, km, last_end = _same_venue_and_km(live, sl, s[idx], v_idx[idx], venues)
                found.append((idx, np.full(len(idx), si), upper[keep], same, km, last_end))
        cols = [np.concatenate(c) if c else np.zeros(0, dtype=np.int64) for c in zip(*found, strict=True)] or [
            np.zeros(0, dtype=np.int64)] * 6  # fmt: skip
        self.need, self.source, self.upper, self.same_venue, self.km, self.last_end = cols
        self.same_venue = self.same_venue.astype(bool)
        self.lang = own[self.need, self.source] & np.array([bool(x.languages) for x in gap_needs] or [False])[self.need]

    def best(self, per_need: int) -> np.ndarray:
        """The indexes of the pairs kept: per need the first `per_need` by preference (language, same venue
        as the days before, nearest, most officers, then the source's id), in that order."""
        pk = np.array([x.pk for _k, x in self.sources], dtype=np.int64)[self.source]
        order = np.lexsort((pk, -self.upper, self.km, ~self.same_venue, ~self.lang, self.need))
        need = self.need[order]
        starts = np.searchsorted(need, need, side="left")
        rank = np.arange(len(order)) - starts
        return order[rank < per_need]


def _ready_at(team, tz):
    """The instant the dog may cross (rules.readiness), or None while a paper is missing."""
    if team.readiness or team.ready_from is None:
        return None
    return dt.datetime.combine(team.ready_from, dt.time.min, tz)

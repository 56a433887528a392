"""An upper bound on what a proposal can cover (SPEC §10, issue 15), computed in the same run from the same
arrays, so that a proposal's quality is a figure: covered officer-hours / this bound.

Per specialty, minute by minute over the scope, the officers (or teams) a proposal can add are at most the
lesser of the gap (the shortfalls of the needs of that minute that have at least one admissible source)
and the free capacity (accepted officers of the lines available that day not on duty then, and the teams
available, certified and ready that day not on duty then). Per specialty and local day, they are also at
most the duty left: for each source available that day, max_duty_hours × its officers (1 for a team)
less what its live assignments already take in that day. The bound sums, per specialty and day, the lesser
of the two. It relaxes the problem (a placement need not keep the same officers over a need's window, nor
respect rest, travel or the sliding 24 h), so no proposal exceeds it."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import numpy as np

from deployments.candidates import MINUTE, Live, Pairs, micros


def upper_bound(operation, gap_needs, gaps, pairs: Pairs, live: Live, lines, teams, starts, ends) -> float:
    """Officer-hours (a K9 team counts one): see the module's docstring."""
    if not gap_needs:
        return 0.0
    tz = zoneinfo.ZoneInfo(operation.timezone)
    duty = operation.rule_set["max_duty_hours"] * 60
    first_day = min(starts.astimezone(tz).date(), min(n.starts_at.astimezone(tz).date() for n in gap_needs))
    last_day = max(n.ends_at.astimezone(tz).date() for n in gap_needs) + dt.timedelta(days=1)
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    t0 = micros(dt.datetime.combine(first_day, dt.time.min, tz))
    edges = np.array([(micros(dt.datetime.combine(d, dt.time.min, tz)) - t0) // MINUTE for d in days])
    size = int(edges[-1]) + 1

    def minute(us):
        return np.clip((np.asarray(us, dtype=np.int64) - t0) // MINUTE, 0, size - 1)

    # What the admitted sources of each need could give it together, each at most its free officers over the
    # whole window (a placement keeps its officers from the need's start to its end).
    supply = np.bincount(pairs.need, weights=pairs.upper, minlength=len(gap_needs)).astype(np.int64)
    gap, free = defaultdict(lambda: np.zeros(size + 1, dtype=np.int64)), defaultdict(
        lambda: np.zeros(size + 1, dtype=np.int64))  # fmt: skip
    room = defaultdict(lambda: np.zeros(len(days) - 1, dtype=np.int64))
    for i, need in enumerate(gap_needs):
        most = min(gaps[need.pk], int(supply[i]))
        if most > 0:
            spec = need.specialty
            key = ("team", spec.code.removeprefix("k9_")) if spec.code.startswith("k9_") else ("line", spec.pk)
            a, b = minute([micros(need.starts_at), micros(need.ends_at)])
            gap[key][a] += most
            gap[key][b] -= most
    for kind, source in [("line", x) for x in lines] + [("team", x) for x in teams]:
        key = ("line", source.specialty_id) if kind == "line" else ("team", source.detection)
        if key not in gap:
            continue
        open_from, open_to = source.available_from, source.available_to
        if kind == "team":
            open_to = min(open_to, source.certification_expires_on)
            ready = None if source.readiness else source.ready_from
            if ready is None:
                continue
            open_from = max(open_from, ready)
        if open_from > open_to:
            continue
        cap = source.officers_accepted if kind == "line" else 1
        a, b = minute([micros(dt.datetime.combine(open_from, dt.time.min, tz)),
                       micros(dt.datetime.combine(open_to + dt.timedelta(days=1), dt.time.min, tz))])  # fmt: skip
        free[key][a] += cap
        free[key][b] -= cap
        sl = live.of((kind, source.pk))
        s, e = minute(live.s[sl]), minute(live.e[sl])
        s, e = np.clip(s, a, b), np.clip(e, a, b)
        np.add.at(free[key], s, -live.q[sl])
        np.add.at(free[key], e, live.q[sl])
        # The duty left in each whole day it is available: its cap less its live assignments' minutes there.
        lo, hi = edges[None, :-1], edges[None, 1:]
        used = (live.q[sl, None] * np.maximum(0, np.minimum(e[:, None], hi) - np.maximum(s[:, None], lo))).sum(0)
        open_days = (edges[1:] > a) & (edges[:-1] < b)
        room[key] += np.where(open_days, np.maximum(0, cap * duty - used), 0)
    total = 0
    for key, g in gap.items():
        g, f = np.cumsum(g)[:size], np.cumsum(free[key])[:size]
        both = np.add.reduceat(np.minimum(g, np.maximum(f, 0)), edges[:-1])
        total += int(np.minimum(both, room[key]).sum()) if key in room else 0
    return round(total / 60, 2)

"""What if, and how to recover (SPEC §10 "What if" with `"repair": true`): the proposal that would recover
the needs a what-if leaves short, computed by the proposal engine (deployments.proposals.compute) over the
tables as the changes would leave them — written inside one transaction that is then rolled back, so
nothing is ever visible: no row, history, notification, outbox row or live-board event.

Inside that transaction:
1. the changes are made: each cut (what_if_sql.CUTS) ends its live assignments at its instant (cancelled
   when it falls at or before their start), and the withdrawn pledges, lines and teams are taken out of the
   free capacity (withdrawn; withdrawn `from` an instant: available until the day before it); a need's new
   quantity replaces its own (0: the need is left out);
2. the scope is bounded: the days the short needs start on, at most REPAIR_DAYS from the first, and in those days
   only the venues and specialties of the short needs (the other needs of those days are left out: their
   cover never depends on these, SPEC §3's demand is per venue and specialty);
3. an unsaved proposal of that scope is computed (its own final check places and rolls back in a
   savepoint), and the whole transaction is rolled back.

The rows touched are locked only while it runs (a few seconds): a placement on a withdrawn line waits for it,
and two repairs of one operation take turns (an advisory lock).
"""

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db import connection, transaction

from core import freshness
from deployments.models import Proposal, VenueNeed
from deployments.proposals import compute
from deployments.what_if_sql import CUT_AT, CUT_JOINS, CUTS, what_if_params

# The first days with a need that falls short, at most this many: a bounded answer at Games scale. The
# needs short later are counted (`needs_left_out`): a proposal of their own recovers them.
REPAIR_DAYS = 2
# The proposal reads the sources' assignments up to two days around a need (rest, duty, same venue the day
# before): the cuts are made that far around the scope, not over the whole operation.
NEAR = dt.timedelta(days=3)
# The advisory lock's first key (pg_advisory_xact_lock(REPAIR_LOCK, operation id)): repairs of one operation
# take turns, so two never lock the same lines and assignments in different orders.
REPAIR_LOCK = 15_010

_CUT_ASSIGNMENTS_SQL = f"""
WITH {CUTS} after AS (
    SELECT a.id, a.starts_at, LEAST(a.ends_at, {CUT_AT}) AS ends_at
    FROM deployments_assignment a
    JOIN deployments_venue v ON v.id = a.venue_id AND v.operation_id = %(operation)s
    {CUT_JOINS}
    WHERE a.status <> 'cancelled' AND {CUT_AT} < a.ends_at
      AND a.starts_at < %(near_ends)s AND a.ends_at > %(near_starts)s
)
UPDATE deployments_assignment a
SET status = CASE WHEN after.ends_at <= a.starts_at THEN 'cancelled' ELSE a.status END,
    ends_at = CASE WHEN after.ends_at <= a.starts_at THEN a.ends_at ELSE after.ends_at END
FROM after WHERE a.id = after.id
"""
# The sources a cut reaches: its pledge's lines and teams, or the line or team itself; withdrawn when cut
# altogether (or from before their first day), else available until the day before the cut's local day.
_CUT_SOURCES_SQL = """
WITH {cuts} reached AS (
    SELECT s.id, MIN(c.at) AS at FROM {table} s JOIN cut_by c
        ON c.kind = 'pledge' AND c.id = s.pledge_id OR c.kind = %(kind)s AND c.id = s.id
    GROUP BY s.id
)
UPDATE {table} s
SET withdrawn_at = CASE WHEN (r.at AT TIME ZONE %(tz)s)::date - 1 < s.available_from THEN now()
                        ELSE s.withdrawn_at END,
    available_to = CASE WHEN (r.at AT TIME ZONE %(tz)s)::date - 1 < s.available_from THEN s.available_to
                        ELSE LEAST(s.available_to, (r.at AT TIME ZONE %(tz)s)::date - 1) END
FROM reached r WHERE s.id = r.id
"""
_NEED_QUANTITIES_SQL = """
UPDATE deployments_venueneed n SET quantity = q.quantity
FROM unnest(%(need_ids)s::bigint[], %(need_quantities)s::int[]) AS q(id, quantity)
WHERE n.id = q.id AND q.quantity > 0
"""
# Needs left out of the repair: lowered to 0, or of the scope's days but not of a venue and specialty
# with a need short. No row refers to a need, so they go without a trace once rolled back.
_LEAVE_OUT_SQL = """
DELETE FROM deployments_venueneed n USING deployments_venue v
WHERE v.id = n.venue_id AND v.operation_id = %(operation)s AND (
    n.id = ANY(%(zeroed)s::bigint[])
    OR n.starts_at < %(ends)s AND n.ends_at > %(starts)s
       AND (n.venue_id, n.specialty_id) NOT IN (SELECT * FROM unnest(%(venues)s::bigint[], %(specialties)s::bigint[])))
"""


def repair(operation, *, actor, cuts, quantities, rows) -> dict:
    """The proposal that would recover the needs of `rows` (what_if's by_venue) that are short after the
    changes (`cuts`, `quantities`: what_if.resolve's), grouped by country and venue, with the cover after it
    (the §7 by_venue shape) and what it could not cover and why. `actor` is a coordinator (the proposal's
    final check places as them). Writes nothing."""
    tz = zoneinfo.ZoneInfo(operation.timezone)
    short = [r for r in rows if r["short"]]
    if not short:
        return {"scope": None, "by_country": [], "coverage_after": [], "uncovered": [], "needs_left_out": 0,
                "officer_hours": 0, "gap_officer_hours": 0}  # fmt: skip
    first = min(r["starts_at"].astimezone(tz).date() for r in short)
    last_allowed = first + dt.timedelta(days=REPAIR_DAYS - 1)
    kept = [r for r in short if r["starts_at"].astimezone(tz).date() <= last_allowed]
    last = min(max(r["starts_at"].astimezone(tz).date() for r in kept), operation.ends_on)
    pairs = set(VenueNeed.objects.filter(pk__in=[r["need"] for r in kept]).values_list("venue_id", "specialty_id"))
    starts = dt.datetime.combine(first, dt.time.min, tz)
    ends = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    venues = {venue for venue, _s in pairs}
    specialties = {specialty for _v, specialty in pairs}
    proposal = Proposal(
        operation=operation, created_by=actor, from_date=max(first, operation.starts_on), to_date=last,
        venue_id=next(iter(venues)) if len(venues) == 1 else None,
        specialty_id=next(iter(specialties)) if len(specialties) == 1 else None,
    )  # fmt: skip
    with transaction.atomic():
        with connection.cursor() as cur:  # one repair of an operation at a time: two never deadlock
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REPAIR_LOCK, operation.pk])
        freshness.data_changed()  # raw writes send no signal: no cached figure may answer inside this transaction
        _make_changes(operation, cuts, quantities, starts - NEAR, ends + NEAR)
        with connection.cursor() as cur:
            cur.execute(_LEAVE_OUT_SQL, {
                "operation": operation.pk, "starts": starts, "ends": ends,
                "zeroed": [need for need, quantity in (quantities or {}).items() if quantity == 0],
                "venues": [v for v, _s in pairs], "specialties": [s for _v, s in pairs],
            })  # fmt: skip
        result = compute(proposal)
        transaction.set_rollback(True)
    return {
        "scope": {"from_date": proposal.from_date, "to_date": proposal.to_date,
                  "venues": sorted({r["venue"] for r in kept}), "specialties": sorted({r["specialty"] for r in kept})},
        "by_country": grouped(result["assignments"]),
        "coverage_after": result["coverage_after"],
        "uncovered": result["uncovered"],
        "needs_left_out": len(short) - len(kept),
        "officer_hours": result["stats"]["covered_officer_hours"],
        "gap_officer_hours": result["stats"]["gap_officer_hours"],
    }  # fmt: skip


def _make_changes(operation, cuts, quantities, near_starts, near_ends) -> None:
    """The changes made in the tables; assignments cut only near the scope (what the proposal reads)."""
    params = {"operation": operation.pk, "tz": operation.timezone, "near_starts": near_starts, "near_ends": near_ends,
              **what_if_params(cuts, quantities)}  # fmt: skip
    with connection.cursor() as cur:
        if cuts:
            cur.execute(_CUT_ASSIGNMENTS_SQL, params)
            for table, kind in (("pledges_pledgeline", "line"), ("pledges_k9team", "team")):
                cur.execute(_CUT_SOURCES_SQL.format(cuts=CUTS, table=table), {**params, "kind": kind})
        if quantities:
            cur.execute(_NEED_QUANTITIES_SQL, params)


def grouped(assignments: list[dict]) -> list[dict]:
    """Proposed assignments by country, then venue: [{country, venues: [{venue, assignments}]}]."""
    by = defaultdict(lambda: defaultdict(list))
    for item in assignments:
        by[item["country"]][item["venue"]].append({k: v for k, v in item.items() if k != "venue_id"})
    return [
        {
            "country": country,
            "venues": [{"venue": venue, "assignments": items} for venue, items in sorted(venues.items())],
        }
        for country, venues in sorted(by.items())
    ]

"""SPEC §10 `travel_too_short`: a K9 team's gap between assignments at two venues is at least the
travel time — the venue pair's own minutes, else the straight-line distance at travel_kmh plus
travel_buffer_minutes. Venues without coordinates and without a pair: not checked. Officer lines
are pools (their people are counted by capacity), so this is for K9 teams only."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.models import VenuePair
from deployments.rules.base import Breach, describe, haversine_km


def travel_minutes(a, b, rules: dict, overrides: dict) -> float | None:
    """Minutes needed from venue a to venue b, or None when unknown (no pair, no coordinates)."""
    key = (min(a.pk, b.pk), max(a.pk, b.pk))
    if key in overrides:
        return overrides[key]
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
    return km / rules["travel_kmh"] * 60 + rules["travel_buffer_minutes"]


def overrides_between(venue, others) -> dict:
    ids = [o.pk for o in others if o.pk != venue.pk]
    if not ids:
        return {}
    rows = VenuePair.objects.filter(Q(venue_a=venue, venue_b__in=ids) | Q(venue_b=venue, venue_a__in=ids)).values_list(
        "venue_a_id", "venue_b_id", "minutes"
    )
    return {(min(a, b), max(a, b)): m for a, b, m in rows}


def check_travel(ctx) -> Breach | None:
    if not ctx.is_team:
        return None
    pairs = [(other, gap) for other, gap in ctx.neighbours() if other.venue_id != ctx.venue.pk]
    if not pairs:
        return None
    others = [other.venue for other, _gap in pairs]
    key = ("venue_pairs", ctx.venue.pk, frozenset(v.pk for v in others))
    overrides = ctx.memo(key, lambda: overrides_between(ctx.venue, others))
    for other, gap in pairs:
        needed = travel_minutes(ctx.venue, other.venue, ctx.rules, overrides)
        if needed is not None and gap < dt.timedelta(minutes=needed):
            return Breach(
                RuleViolation.TRAVEL,
                _("%(team)s needs %(need)s minutes to travel between %(a)s and %(b)s; only %(gap)s minutes "
                  "are left. The other assignment: %(other)s.")
                % {"team": ctx.source, "need": round(needed), "a": ctx.venue, "b": other.venue,
                   "gap": int(gap.total_seconds() // 60),
                   "other": describe(other.venue, other.starts_at, other.ends_at, ctx.tz)},
                other_id=other.pk,
            )  # fmt: skip
    return None

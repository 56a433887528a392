"""The operation dashboard's figures: requested / pledged / accepted / assigned, by country and by specialty.

Five grouped queries whatever the number of countries, specialties or assignments; the two
breakdowns are folded from the same (country, specialty) rows in Python.
"""

from collections import defaultdict

from django.db.models import Count, Max, Q, Sum

from core import freshness
from deployments.models import Assignment
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.models import ReinforcementRequest, RequestLine, Specialty

MEASURES = ("requested", "pledged", "accepted", "assigned")
# What a country was asked for: sent, answered or finished requests; not drafts and not cancelled ones.
ASKED = (
    ReinforcementRequest.Status.SENT,
    ReinforcementRequest.Status.ACKNOWLEDGED,
    ReinforcementRequest.Status.DECLINED,
    ReinforcementRequest.Status.CLOSED,
)
# What a country offered: every pledge the ministry has seen and that was not taken back.
OFFERED = (
    Pledge.Status.SUBMITTED,
    Pledge.Status.CHANGES_REQUESTED,
    Pledge.Status.ACCEPTED,
    Pledge.Status.PARTIALLY_ACCEPTED,
    Pledge.Status.REJECTED,
)


def k9_specialty_code(detection: str) -> str:
    return f"k9_{detection}"


def operation_figures(operation):
    """{"totals": {"officers": {...}, "teams": {...}}, "by_country": [...], "by_specialty": [...]};
    cached until the data changes (core/freshness.py)."""
    return freshness.cached("figures", operation.pk, compute=lambda: _operation_figures(operation))


def _operation_figures(operation):
    specialties = {s.pk: s for s in Specialty.objects.all()}
    by_code = {s.code: s for s in specialties.values()}
    cells = defaultdict(lambda: dict.fromkeys(MEASURES, 0))  # (country, specialty_id) -> counts

    for row in (
        RequestLine.objects.filter(request__operation=operation, request__status__in=ASKED)
        .values("request__country", "specialty_id")
        .annotate(n=Sum("quantity"))
    ):
        cells[row["request__country"], row["specialty_id"]]["requested"] += row["n"]

    for row in (
        PledgeLine.objects.filter(pledge__request__operation=operation, pledge__status__in=OFFERED)
        .values("pledge__request__country", "specialty_id")
        .annotate(
            offered=Sum("officers_offered"),
            accepted=Sum("officers_accepted", filter=Q(pledge__status__in=Pledge.ACCEPTED_STATUSES)),
        )
    ):
        cell = cells[row["pledge__request__country"], row["specialty_id"]]
        cell["pledged"] += row["offered"]
        cell["accepted"] += row["accepted"] or 0

    for row in (
        K9Team.objects.filter(pledge__request__operation=operation, pledge__status__in=OFFERED)
        .values("pledge__request__country", "detection")
        .annotate(
            pledged=Count("id"),
            accepted=Count("id", filter=Q(accepted=True, pledge__status__in=Pledge.ACCEPTED_STATUSES)),
        )
    ):
        specialty = by_code.get(k9_specialty_code(row["detection"]))
        cell = cells[row["pledge__request__country"], specialty.pk if specialty else None]
        cell["pledged"] += row["pledged"]
        cell["accepted"] += row["accepted"]

    live = Assignment.objects.filter(venue__operation=operation).exclude(status=Assignment.Status.CANCELLED)
    # Officers assigned: per line, its largest single assignment — people who have at least one shift,
    # never counting one officer twice for two shifts.
    for row in (
        live.filter(pledge_line__isnull=False)
        .values("pledge__request__country", "pledge_line__specialty_id", "pledge_line_id")
        .annotate(n=Max("quantity"))
    ):
        cells[row["pledge__request__country"], row["pledge_line__specialty_id"]]["assigned"] += row["n"]
    for row in (
        live.filter(k9_team__isnull=False)
        .values("pledge__request__country", "k9_team__detection")
        .annotate(n=Count("k9_team", distinct=True))
    ):
        specialty = by_code.get(k9_specialty_code(row["k9_team__detection"]))
        cells[row["pledge__request__country"], specialty.pk if specialty else None]["assigned"] += row["n"]

    totals = {"officers": dict.fromkeys(MEASURES, 0), "teams": dict.fromkeys(MEASURES, 0)}
    countries = defaultdict(lambda: {"officers": dict.fromkeys(MEASURES, 0), "teams": dict.fromkeys(MEASURES, 0)})
    per_specialty = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for (country, specialty_id), counts in cells.items():
        specialty = specialties.get(specialty_id)
        kind = "teams" if specialty is None or specialty.is_canine else "officers"
        for measure, n in counts.items():
            totals[kind][measure] += n
            countries[country][kind][measure] += n
            per_specialty[specialty_id][measure] += n

    by_country = sorted(
        ({"country": c, **v} for c, v in countries.items()),
        key=lambda r: (-r["officers"]["requested"] - r["teams"]["requested"], r["country"]),
    )
    by_specialty = [
        {"specialty": s, "unit": "teams" if s.is_canine else "officers", **per_specialty[s.pk]}
        for s in specialties.values()
        if s.pk in per_specialty
    ]
    return {"totals": totals, "by_country": by_country, "by_specialty": by_specialty}


def bar_rows(rows, label, counts, *, width=380):
    """Geometry of a horizontal grouped bar chart (one row per item, one thin bar per measure)."""
    top = max([max(counts(r).values()) for r in rows] + [1])
    out = []
    for i, r in enumerate(rows):
        values = counts(r)
        y = i * 22
        bars = [
            {"measure": m, "value": values[m], "y": y + 1 + j * 5, "w": round(width * values[m] / top, 1)}
            for j, m in enumerate(MEASURES)
        ]
        out.append({"label": label(r), "y": y, "text_y": y + 14, "bars": bars, "values": values})
    return {"rows": out, "height": max(len(rows) * 22, 22), "width": width}

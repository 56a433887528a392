"""The operation dashboard's figures: requested / pledged / accepted / assigned, by country and by specialty.

Folded from deployments.queries.coverage_counts, the cells the coverage API sums too (one definition of
each figure): officers and K9 teams apart, per country and in all.
"""

from collections import defaultdict

from core import freshness
from deployments.queries import COUNTS, coverage_counts
from reinforcements.models import Specialty


def operation_figures(operation):
    """{"totals": {"officers": {...}, "teams": {...}}, "by_country": [...], "by_specialty": [...]};
    cached until the data changes (core/freshness.py)."""
    return freshness.cached("figures", operation.pk, compute=lambda: _operation_figures(operation))


def _operation_figures(operation):
    specialties = {s.code: s for s in Specialty.objects.all()}
    totals = {"officers": dict.fromkeys(COUNTS, 0), "teams": dict.fromkeys(COUNTS, 0)}
    countries = defaultdict(lambda: {"officers": dict.fromkeys(COUNTS, 0), "teams": dict.fromkeys(COUNTS, 0)})
    per_specialty = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for cell in coverage_counts(operation.pk):
        specialty = specialties.get(cell["specialty"])
        kind = "teams" if specialty is None or specialty.is_canine else "officers"
        for measure in COUNTS:
            totals[kind][measure] += cell[measure]
            countries[cell["country"]][kind][measure] += cell[measure]
            per_specialty[cell["specialty"]][measure] += cell[measure]

    by_country = sorted(
        ({"country": c, **v} for c, v in countries.items()),
        key=lambda r: (-r["officers"]["requested"] - r["teams"]["requested"], r["country"]),
    )
    by_specialty = [
        {"specialty": s, "unit": "teams" if s.is_canine else "officers", **per_specialty[code]}
        for code, s in specialties.items()
        if code in per_specialty
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
            for j, m in enumerate(COUNTS)
        ]
        out.append({"label": label(r), "y": y, "text_y": y + 14, "bars": bars, "values": values})
    return {"rows": out, "height": max(len(rows) * 22, 22), "width": width}

"""The coverage page: venue × specialty × day."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from core.pages import page, paginate, staff_page
from deployments.filters import day_window
from deployments.queries import coverage_grid, visible_venues
from deployments.views.days import chosen_day
from reinforcements.models import Specialty
from reinforcements.queries import operation_of


@staff_page
def coverage(request, op):
    """Venue × specialty × day: the worst need of each cell, assigned against needed."""
    operation = operation_of(request, op)
    first, clock_note = chosen_day(request, "from", operation)
    days = [first + dt.timedelta(days=i) for i in range(7) if first + dt.timedelta(days=i) <= operation.ends_on]
    start, _end = day_window(days[0], operation.timezone)
    _start, end = day_window(days[-1], operation.timezone)
    venues_page = paginate(request, visible_venues(request.user).filter(operation=operation).order_by("code"), 25)
    venue_ids = [v.pk for v in venues_page]
    cells = defaultdict(dict)
    for row in coverage_grid(operation.pk, starts=start, ends=end):
        if row["venue_id"] not in venue_ids:
            continue
        day = timezone.localtime(row["starts_at"]).date()
        cell = cells[row["venue_id"], row["specialty_id"]].get(day)
        if cell is None or row["assigned"] - row["quantity"] < cell["assigned"] - cell["quantity"]:
            cells[row["venue_id"], row["specialty_id"]][day] = row
    specialties = Specialty.objects.in_bulk()
    rows = []
    for venue in venues_page:
        for (venue_id, specialty_id), by_day in sorted(cells.items(), key=lambda c: specialties[c[0][1]].code):
            if venue_id == venue.pk:
                rows.append({"venue": venue, "specialty": specialties[specialty_id],
                             "cells": [by_day.get(d) for d in days]})  # fmt: skip
    return page(request, "deployments/coverage.html", {
        "operation": operation, "section": "coverage", "days": days, "rows": rows, "page_obj": venues_page,
        "clock_note": clock_note,
        "prev_from": days[0] - dt.timedelta(days=7) if days[0] > operation.starts_on else None,
        "next_from": days[-1] + dt.timedelta(days=1) if days[-1] < operation.ends_on else None,
    })  # fmt: skip

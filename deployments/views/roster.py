"""The duty roster pages: printable (A4, no navigation) and XLSX through the export helper. Staff reach
every venue's; the portal has its own URL for a liaison's people (portal/views.py), same reading."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.exports import export
from core.pages import staff_page
from deployments import roster
from reinforcements.queries import operation_of


def roster_response(request, operation, venue_code, day_text, *, back_url):
    """The page, or with `?format=xlsx` (or csv) the same rows as a recorded, escaped export."""
    day = roster.parse_day(day_text, operation)
    data = roster.duty_roster(request.user, operation, venue_code, day)
    if "format" in request.GET:
        name = f"roster-{operation.code}-{venue_code}-{day.isoformat()}"
        return export(request, name, roster.headers(), (roster.cells(row) for row in data["rows"]))
    return render(request, "deployments/duty_roster.html", {
        **data, "operation": operation, "headers": roster.headers(), "back_url": back_url,
        "printed_at": timezone.now(), "zone": operation.timezone,
    })  # fmt: skip


@staff_page
def duty_roster(request, op, venue, day):
    operation = operation_of(request, op)
    back = reverse("planner", args=[operation.code]) + f"?venue={venue}&day={day}"
    return roster_response(request, operation, venue, day, back_url=back)

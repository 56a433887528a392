"""The duty roster of a venue and day (issue 20): who is on duty there, from which country, when, in which
role, whom to call, and which needs each assignment covers. One reading for the printable page and its
XLSX, for staff (every country) and a liaison (their own people only: `visible_assignments`)."""

import datetime as dt
import zoneinfo

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.countries import country_label, country_sort_key
from core.roles import is_staff_reader
from deployments.models import Assignment, VenueNeed
from deployments.queries import visible_assignments, visible_venues


def day_window(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    return dt.datetime.combine(day, dt.time.min, tz), dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)


def parse_day(text: str, operation) -> dt.date:
    """The roster's day from the URL: an ISO date inside the operation, else 404."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None
    if not operation.starts_on <= day <= operation.ends_on:
        raise Http404
    return day


def duty_roster(user, operation, venue_code: str, day: dt.date) -> dict:
    """{"venue", "day", "rows": [...]} for the venue of `operation` with that code, on that local day.
    A liaison sees only their country's assignments, and a venue-day without any of them does not exist
    for them (404), like anything else of another country."""
    venue = visible_venues(user).filter(operation=operation, code=venue_code).first()
    if venue is None:
        raise Http404
    start, end = day_window(day, operation.timezone)
    assignments = list(
        visible_assignments(user)
        .filter(venue=venue, starts_at__lt=end, ends_at__gt=start)
        .exclude(status=Assignment.Status.CANCELLED)
        .select_related("pledge__request", "pledge_line__specialty", "k9_team")
    )
    if not assignments and not is_staff_reader(user):
        raise Http404
    needs = list(
        VenueNeed.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start).select_related("specialty")
    )
    zone = zoneinfo.ZoneInfo(operation.timezone)
    rows = [_row(a, needs, day, zone) for a in assignments]
    rows.sort(key=lambda r: (r["starts_at"], country_sort_key(r["country"]), r["id"]))
    return {"venue": venue, "day": day, "rows": rows, "needs": needs}


def _row(a: Assignment, needs, day, zone) -> dict:
    pledge = a.pledge
    if a.k9_team_id:
        team = a.k9_team
        specialty_code = f"k9_{team.detection}"
        who = f"{team.handler_name} & {team.dog_name} ({team.dog_breed})"
        unit = pgettext("label", "K9 team")
    else:
        specialty_code = a.pledge_line.specialty.code
        who = f"{a.quantity} × {a.pledge_line.specialty.name}"
        unit = _("Contingent")
    covers = [
        n for n in needs if n.specialty.code == specialty_code and n.starts_at < a.ends_at and n.ends_at > a.starts_at
    ]
    return {
        "id": a.pk,
        "country": pledge.request.country,
        "country_name": country_label(pledge.request.country),
        "unit": unit,
        "who": who,
        "legal": a.source.legal_status_text,
        "commander": pledge.commander_name,
        "contact": pledge.commander_contact,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "from": _clock(a.starts_at, day, zone),
        "to": _clock(a.ends_at, day, zone),
        "role": a.role,
        "status": a.get_status_display(),
        "covers": "; ".join(
            f"{n.specialty.name} {_clock(n.starts_at, day, zone)}–{_clock(n.ends_at, day, zone)} ({n.quantity})"
            for n in covers
        ),
    }


def _clock(instant, day, zone) -> str:
    """HH:MM on the roster's day; with the date when it falls on another day (a night shift)."""
    local = timezone.localtime(instant, zone)
    return f"{local:%H:%M}" if local.date() == day else f"{local:%d/%m %H:%M}"


def headers() -> list[str]:
    return [_("Country"), _("Contingent or K9 team"), _("Who"), _("Legal status"), _("From"), _("To"), _("Role"),
            _("Commander"), _("Contact"), _("Needs covered"), _("Status")]  # fmt: skip


def cells(row: dict) -> list:
    return [row["country_name"], row["unit"], row["who"], row["legal"], row["from"], row["to"], row["role"],
            row["commander"], row["contact"], row["covers"], row["status"]]  # fmt: skip

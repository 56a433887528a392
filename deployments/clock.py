"""What "now" is for the pages that depend on it: coverage, planner, dashboard, the portal's overdue
marks and the reminders' preview (`send_reminders --dry-run`).

Two things bend it, both only for what is shown, never for what is stored (transitions, history and
notifications keep the real `timezone.now()`):
- the demo clock, `DEMO_NOW` (settings): `make run` sets it so the 2024 demo looks live;
- an operation that today is outside of: its pages open on its first day with needs, and say so.
Lives beside the needs it reads (deployments), so every face can use it.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core import freshness
from core.templatetags.staff import day as day_text
from core.templatetags.staff import when
from deployments.models import VenueNeed


@dataclass(frozen=True)
class Reference:
    instant: dt.datetime  # aware: what the page takes as "now"
    day: dt.date  # that instant's day in the operation's time zone
    note: str  # one line saying why the page shows another day than today ("" when it does not)


def now() -> dt.datetime:
    """The demo clock when one is set, else the real time."""
    if settings.DEMO_NOW:
        return dt.datetime.fromisoformat(settings.DEMO_NOW)
    return timezone.now()


def reference_instant(operation) -> Reference:
    """Now, if today (by the demo clock when set) is inside the operation; otherwise the start of its
    first day with needs (its first day when it has none), with a line that says so."""
    zone = zoneinfo.ZoneInfo(operation.timezone)
    current = now()
    today = timezone.localdate(current, zone)
    if operation.starts_on <= today <= operation.ends_on:
        note = _("Demo clock: the pages show %(when)s as now.") % {"when": when(current)} if settings.DEMO_NOW else ""
        return Reference(current, today, note)
    shown = first_day_with_needs(operation) or operation.starts_on
    if today > operation.ends_on:
        note = _("The operation is over: showing %(day)s") % {"day": day_text(shown)}
    else:
        note = _("The operation has not started: showing %(day)s") % {"day": day_text(shown)}
    return Reference(dt.datetime.combine(shown, dt.time.min, zone), shown, note)


def first_day_with_needs(operation) -> dt.date | None:
    """The operation's first local day on which a venue needs someone, inside its dates; None without needs.
    Cached until the data changes: a Games has thousands of needs."""

    def compute():
        first = VenueNeed.objects.filter(venue__operation=operation, ends_at__gt=_start(operation)).aggregate(
            first=Min("starts_at")
        )["first"]
        if first is None:
            return ""
        local = timezone.localdate(first, zoneinfo.ZoneInfo(operation.timezone))
        return min(max(local, operation.starts_on), operation.ends_on).isoformat()

    found = freshness.cached("first-need-day", operation.pk, compute=compute)
    return dt.date.fromisoformat(found) if found else None


def _start(operation) -> dt.datetime:
    return dt.datetime.combine(operation.starts_on, dt.time.min, zoneinfo.ZoneInfo(operation.timezone))

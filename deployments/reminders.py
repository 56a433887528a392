"""The reminders about placed people (SPEC §6), registered with the notifications app."""

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db.models import DateField, F
from django.db.models.functions import Cast

from deployments.models import Assignment
from notifications.models import Notification
from notifications.outbox import coordinators, liaisons_of, notify
from notifications.registry import LIAISON, STAFF, link, link_of, reminder
from notifications.reminders import reminder_day

UNCONFIRMED_WITHIN = dt.timedelta(hours=48)


@reminder
def assignments_unconfirmed(now: dt.datetime) -> list[Notification]:
    """Still planned and starting within 48 h -> that country's liaisons, one digest per country
    (a contingent can have hundreds of assignments a day: one mail, not hundreds)."""
    today = reminder_day(now)
    by_country = defaultdict(list)
    assignments = (
        Assignment.objects.filter(
            status=Assignment.Status.PLANNED, starts_at__gt=now, starts_at__lte=now + UNCONFIRMED_WITHIN
        )
        .select_related("pledge__request", "venue__operation", "pledge_line__specialty", "k9_team")
        .order_by("starts_at", "pk")
    )
    for assignment in assignments:
        by_country[assignment.pledge.request.country].append(assignment)
    rows = []
    for country, planned in sorted(by_country.items()):
        rows += notify(
            liaisons_of(country), "reminder_assignments_unconfirmed", None, context={"assignments": planned},
            dedup_key=f"assignments_unconfirmed:{country}:{today}", url=link("deployments", LIAISON),
        )  # fmt: skip
    return rows


def _certification_ends(team, tz: str) -> dt.datetime:
    """A certification is valid to the end of its expiry day, in the operation's time zone
    (the same reading as deployments.transitions._check_placement)."""
    day_after = team.certification_expires_on + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time.min, zoneinfo.ZoneInfo(tz))


@reminder
def k9_certifications_expiring(now: dt.datetime) -> list[Notification]:
    """A K9 team's certification expires before the end of one of its open assignments ->
    the coordinators and that country's liaisons, one message per team."""
    today = reminder_day(now)
    candidates = (
        Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES, k9_team__isnull=False, ends_at__gt=now)
        # Coarse in SQL (the UTC date is within a day of the local one), exact below.
        .filter(k9_team__certification_expires_on__lte=Cast(F("ends_at"), DateField()))
        .select_related("k9_team__pledge__request__operation", "venue__operation")
        .order_by("k9_team_id", "starts_at")
    )
    by_team = defaultdict(list)
    for assignment in candidates:
        if assignment.ends_at > _certification_ends(assignment.k9_team, assignment.venue.operation.timezone):
            by_team[assignment.k9_team].append(assignment)
    rows = []
    for team, assignments in by_team.items():
        country = team.pledge.request.country
        key = f"k9_certification:team-{team.pk}:{today}"
        context = {"assignments": assignments}
        rows += notify(coordinators(), "reminder_k9_certification", team, context=context, dedup_key=key,
                       url=link_of(team, STAFF))  # fmt: skip
        rows += notify(liaisons_of(country), "reminder_k9_certification", team, context=context, dedup_key=key,
                       url=link_of(team, LIAISON))  # fmt: skip
    return rows

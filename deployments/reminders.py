"""The reminders about placed people (SPEC §6), registered with the notifications app."""

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db.models import DateField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils.text import format_lazy

from deployments.models import Assignment
from notifications.models import Notification
from notifications.outbox import coordinators, liaisons_of, notify
from notifications.registry import LIAISON, STAFF, link, link_of, reminder
from notifications.reminders import reminder_day
from pledges.models import K9Team

UNCONFIRMED_WITHIN = dt.timedelta(hours=48)
# A liaison whose K9 team will not be ready by its first assignment hears so this many days before
# it, once each (SPEC §3): time to vaccinate (21 days) at the first, a last call at the second.
NOT_READY_STAGES = (7, 30)


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


@reminder
def k9_not_ready(now: dt.datetime) -> list[Notification]:
    """A K9 team that will not be ready for the border by its first open assignment -> that country's
    liaisons, 30 days and again 7 days before that assignment, once each."""
    first_open = (
        Assignment.objects.filter(k9_team=OuterRef("pk"), status__in=Assignment.OPEN_STATUSES)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    teams = (
        K9Team.objects.annotate(first_at=Subquery(first_open))
        .filter(first_at__gt=now, first_at__lte=now + dt.timedelta(days=max(NOT_READY_STAGES)))
        # Ready today is ready for anything later: only the others are read.
        .exclude(K9Team.PAPERS_COMPLETE, rabies_vaccinated_on__lte=now.date() - K9Team.RABIES_WAIT)
        .select_related("pledge__request__operation")
        .order_by("first_at", "pk")
    )
    rows = []
    for team in teams:
        first_day = team.first_at.astimezone(zoneinfo.ZoneInfo(team.pledge.request.operation.timezone)).date()
        ready_from = team.ready_from
        if ready_from is not None and ready_from <= first_day:
            continue
        stage = min(days for days in NOT_READY_STAGES if team.first_at <= now + dt.timedelta(days=days))
        # Lazy labels: each recipient reads them in their own language.
        missing = [label for label, ok in team.readiness_checklist if not ok]
        missing = format_lazy(", ".join(["{}"] * len(missing)), *missing) if missing else ""
        context = {"first_at": team.first_at, "missing": missing, "ready_from": ready_from}
        rows += notify(
            liaisons_of(team.pledge.request.country), "reminder_k9_not_ready", team, context=context,
            dedup_key=f"k9_not_ready:team-{team.pk}:{stage}d", url=link_of(team, LIAISON),
        )  # fmt: skip
    return rows

"""Reminders (SPEC §6): what is due soon or late, told to the side that must act.

Run hourly by beat (config/celery.py) and by `manage.py send_reminders`. Each reminder carries a
dedup key "<rule>:<object>:<day>"; the unique (recipient, channel, dedup_key) constraint means a
person hears about the same thing at most once a (Paris) day, however often this runs.
Every rule takes `now`, so tests and the command can run it at any instant.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db import transaction
from django.db.models import DateField, Exists, F, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from deployments.models import Assignment
from notifications.models import Notification
from notifications.outbox import coordinators, liaisons_of, notify
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest

DUE_SOON = dt.timedelta(days=3)
UNDECIDED_AFTER = dt.timedelta(days=2)
UNCONFIRMED_WITHIN = dt.timedelta(hours=48)
# A pledge in these states is the country's answer to its request (a withdrawn or draft one is not).
ANSWERED = (
    Pledge.Status.SUBMITTED, Pledge.Status.CHANGES_REQUESTED, Pledge.Status.ACCEPTED,
    Pledge.Status.PARTIALLY_ACCEPTED, Pledge.Status.REJECTED,
)  # fmt: skip


def send_all(now: dt.datetime | None = None, *, dry_run: bool = False) -> list[Notification]:
    """Every rule once; returns one in-app row per person told (what the command prints).

    A dry run does the same work in a transaction it rolls back: nothing is kept, nothing is queued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = [
            *response_due_soon(now),
            *response_overdue(now),
            *pledges_undecided(now),
            *assignments_unconfirmed(now),
            *k9_certifications_expiring(now),
        ]
        if dry_run:
            transaction.set_rollback(True)
    return [row for row in rows if row.channel == Notification.Channel.IN_APP]


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


def _awaiting_answer():
    """Requests out with a country that has neither declined nor answered with a pledge."""
    answered = Pledge.objects.filter(request=OuterRef("pk"), status__in=ANSWERED)
    return (
        ReinforcementRequest.objects.filter(status__in=ReinforcementRequest.OPEN_STATUSES, response_due__isnull=False)
        .filter(~Exists(answered))
        .select_related("operation")
        .order_by("response_due", "pk")
    )


def response_due_soon(now: dt.datetime) -> list[Notification]:
    """Answer due today or within 3 days -> that country's liaisons."""
    today = _today(now)
    rows = []
    for request in _awaiting_answer().filter(response_due__gte=today, response_due__lte=today + DUE_SOON):
        rows += notify(
            liaisons_of(request.country), "reminder_response_due", request,
            dedup_key=f"response_due:request-{request.pk}:{today}", url=f"/portal/requests/{request.pk}/",
        )  # fmt: skip
    return rows


def response_overdue(now: dt.datetime) -> list[Notification]:
    """Answer date passed -> the coordinators, one digest of every such request."""
    today = _today(now)
    overdue = list(_awaiting_answer().filter(response_due__lt=today))
    if not overdue:
        return []
    operations = {request.operation.code for request in overdue}
    url = f"/ops/{operations.pop()}/requests/" if len(operations) == 1 else "/"
    return notify(
        coordinators(), "reminder_response_overdue", None, context={"requests": overdue},
        dedup_key=f"response_overdue:{today}", url=url,
    )  # fmt: skip


def pledges_undecided(now: dt.datetime) -> list[Notification]:
    """Submitted for 2 days or more and not decided -> the coordinators."""
    today = _today(now)
    rows = []
    pledges = (
        Pledge.objects.filter(status=Pledge.Status.SUBMITTED, submitted_at__lte=now - UNDECIDED_AFTER)
        .select_related("request__operation")
        .order_by("submitted_at", "pk")
    )
    for pledge in pledges:
        rows += notify(
            coordinators(), "reminder_pledge_undecided", pledge,
            dedup_key=f"pledge_undecided:pledge-{pledge.pk}:{today}", url=f"/pledges/{pledge.pk}/",
        )  # fmt: skip
    return rows


def assignments_unconfirmed(now: dt.datetime) -> list[Notification]:
    """Still planned and starting within 48 h -> that country's liaisons, one digest per country
    (a contingent can have hundreds of assignments a day: one mail, not hundreds)."""
    today = _today(now)
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
            dedup_key=f"assignments_unconfirmed:{country}:{today}", url="/portal/deployments/",
        )  # fmt: skip
    return rows


def _certification_ends(team, tz: str) -> dt.datetime:
    """A certification is valid to the end of its expiry day, in the operation's time zone
    (the same reading as deployments.transitions._check_placement)."""
    day_after = team.certification_expires_on + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time.min, zoneinfo.ZoneInfo(tz))


def k9_certifications_expiring(now: dt.datetime) -> list[Notification]:
    """A K9 team's certification expires before the end of one of its open assignments ->
    the coordinators and that country's liaisons, one message per team."""
    today = _today(now)
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
        country, pledge_id = team.pledge.request.country, team.pledge_id
        key = f"k9_certification:team-{team.pk}:{today}"
        context = {"assignments": assignments}
        rows += notify(coordinators(), "reminder_k9_certification", team, context=context, dedup_key=key,
                       url=f"/pledges/{pledge_id}/")  # fmt: skip
        rows += notify(liaisons_of(country), "reminder_k9_certification", team, context=context, dedup_key=key,
                       url=f"/portal/pledges/{pledge_id}/")  # fmt: skip
    return rows

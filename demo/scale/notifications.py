"""The notifications the seeded history would have sent, delivered and partly read: written by the
outbox's own row builder (texts from notifications/events/, in each recipient's language), then COPY."""

import datetime as dt

from django.db.models import Prefetch
from django.db.models.functions import Mod

from deployments.models import Assignment
from notifications.models import Notification
from notifications.outbox import notification_rows
from notifications.registry import LIAISON, STAFF, link_of
from pledges.models import K9Team, Pledge
from reinforcements.models import ReinforcementRequest, User

FIELDS = [f.attname for f in Notification._meta.concrete_fields if not f.primary_key]


def seed_notifications(s):
    """Requests sent, pledges submitted and decided, then planned assignments, a sample of them, up to
    the wanted number of rows (in-app and email, two per recipient)."""
    users = User.objects.select_related("liaison_profile").in_bulk([*s.coordinators, *_liaison_ids(s)])
    coordinators = [users[pk] for pk in s.coordinators]
    rows = []

    def add(recipients, event, obj, audience, when):
        for note in notification_rows(recipients, event, obj, url=link_of(obj, audience), now=when):
            _delivered(s, note, when)
            rows.append({name: getattr(note, name) for name in FIELDS})

    requests = ReinforcementRequest.objects.filter(operation_id=s.operation_id).exclude(
        status=ReinforcementRequest.Status.DRAFT
    )
    for request in requests.select_related("operation").prefetch_related("lines__specialty").order_by("pk"):
        add(_liaisons(s, users, request.country), "request_sent", request, LIAISON, request.sent_at)
    pledges = (
        Pledge.objects.filter(request__operation_id=s.operation_id)
        .exclude(status=Pledge.Status.DRAFT)
        .select_related("request__operation")
        .prefetch_related("lines__specialty", Prefetch("k9_teams", K9Team.objects.select_related("pledge__request")))
        .order_by("pk")
    )
    for pledge in pledges:
        add(coordinators, "pledge_submitted", pledge, STAFF, pledge.submitted_at)
        if pledge.decided_by_id:
            add(_liaisons(s, users, pledge.request.country), "pledge_decided", pledge, LIAISON, pledge.decided_at)
    wanted = max(s.sz.notifications - len(rows), 0) // 2  # two rows (in-app, email) per assignment
    if wanted:
        made = s.instant(s.first_day - dt.timedelta(days=20), 9)
        sample = (
            Assignment.objects.filter(venue__operation_id=s.operation_id)
            .alias(step=Mod("id", max(1, s.sz.assignments // wanted)))
            .filter(step=0)
            .select_related("venue", "pledge__request__operation", "pledge_line__specialty", "k9_team")
            .order_by("id")[:wanted]
        )
        for assignment in sample:
            add(_liaisons(s, users, assignment.pledge.request.country)[:1], "assignment_planned", assignment, LIAISON,
                made)  # fmt: skip
    s.copier.copy(Notification, rows[: max(s.sz.notifications, 0)], label="notifications")


def _liaison_ids(s):
    return [pk for people in s.liaisons.values() for pk, _lang in people]


def _liaisons(s, users, country):
    return [users[pk] for pk, _lang in s.liaisons[country]]


def _delivered(s, note, when):
    """As delivery leaves a row: sent, the email once tried; in-app rows read in six cases out of ten."""
    note.created_at = note.sent_at = when
    note.status, note.next_attempt_at = Notification.Status.SENT, None
    if note.channel == Notification.Channel.EMAIL:
        note.attempts = 1
    elif s.rng.random() < 0.6:
        note.read_at = when + dt.timedelta(hours=5)
    note.updated_at = note.read_at or when  # COPY runs no save(): its last change, as auto_now would stamp it

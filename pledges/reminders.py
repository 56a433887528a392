"""The reminders about answers and decisions (SPEC §6), registered with the notifications app."""

import datetime as dt

from django.db.models import Exists, OuterRef

from notifications.models import Notification
from notifications.outbox import coordinators, liaisons_of, notify
from notifications.registry import LIAISON, STAFF, link, link_of, reminder
from notifications.reminders import reminder_day
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest

DUE_SOON = dt.timedelta(days=3)
UNDECIDED_AFTER = dt.timedelta(days=2)


def _awaiting_answer():
    """Requests out with a country that has neither declined nor answered with a pledge."""
    answered = Pledge.objects.filter(request=OuterRef("pk"), status__in=Pledge.ANSWER_STATUSES)
    return (
        ReinforcementRequest.objects.filter(status__in=ReinforcementRequest.OPEN_STATUSES, response_due__isnull=False)
        .filter(~Exists(answered))
        .select_related("operation")
        .order_by("response_due", "pk")
    )


@reminder
def response_due_soon(now: dt.datetime) -> list[Notification]:
    """Answer due today or within 3 days -> that country's liaisons."""
    today = reminder_day(now)
    rows = []
    for request in _awaiting_answer().filter(response_due__gte=today, response_due__lte=today + DUE_SOON):
        rows += notify(
            liaisons_of(request.country), "reminder_response_due", request,
            dedup_key=f"response_due:request-{request.pk}:{today}", url=link_of(request, LIAISON),
        )  # fmt: skip
    return rows


@reminder
def response_overdue(now: dt.datetime) -> list[Notification]:
    """Answer date passed -> the coordinators, one digest of every such request."""
    today = reminder_day(now)
    overdue = list(_awaiting_answer().filter(response_due__lt=today))
    if not overdue:
        return []
    operations = {request.operation for request in overdue}
    url = link("overdue_requests", STAFF, operations.pop() if len(operations) == 1 else None)
    return notify(
        coordinators(), "reminder_response_overdue", None, context={"requests": overdue},
        dedup_key=f"response_overdue:{today}", url=url,
    )  # fmt: skip


@reminder
def pledges_undecided(now: dt.datetime) -> list[Notification]:
    """Submitted for 2 days or more and not decided -> the coordinators."""
    today = reminder_day(now)
    rows = []
    pledges = (
        Pledge.objects.filter(status=Pledge.Status.SUBMITTED, submitted_at__lte=now - UNDECIDED_AFTER)
        .select_related("request__operation")
        .order_by("submitted_at", "pk")
    )
    for pledge in pledges:
        rows += notify(
            coordinators(), "reminder_pledge_undecided", pledge,
            dedup_key=f"pledge_undecided:pledge-{pledge.pk}:{today}", url=link_of(pledge, STAFF),
        )  # fmt: skip
    return rows

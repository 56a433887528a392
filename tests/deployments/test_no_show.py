"""A no-show (SPEC §12, on the day): a cancellation once the shift has started, whose reason says nobody came."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deployments.transitions import record_no_show
from notifications.models import Notification
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_a_no_show_cancels_the_assignment_with_its_reason_and_tells_the_country(coordinator, liaison_pl):
    assignment = AssignmentFactory(status="confirmed", pledge_line__pledge__request__country="PL")

    record_no_show(assignment.pk, actor=coordinator)

    assignment.refresh_from_db()
    assert (assignment.status, assignment.status_reason) == ("cancelled", "No-show: nobody reported for duty.")
    assert Notification.objects.filter(recipient=liaison_pl, event="assignment_cancelled").exists()


def test_a_no_show_before_the_shift_starts_is_refused_and_changes_nothing(coordinator):
    later = timezone.now() + dt.timedelta(hours=2)
    assignment = AssignmentFactory(starts_at=later, ends_at=later + dt.timedelta(hours=8))

    with pytest.raises(ValidationError):
        record_no_show(assignment.pk, actor=coordinator)

    assignment.refresh_from_db()
    assert assignment.status == "planned"


@pytest.mark.parametrize("who", ["viewer", "liaison_pl"])
def test_only_a_coordinator_records_a_no_show(who, request):
    assignment = AssignmentFactory(pledge_line__pledge__request__country="PL")

    with pytest.raises(PermissionDenied):
        record_no_show(assignment.pk, actor=request.getfixturevalue(who))

    assignment.refresh_from_db()
    assert assignment.status == "planned"

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


@pytest.mark.parametrize("who", ["viewer", "liaison_de"])
def test_a_viewer_or_a_liaison_of_another_country_may_not_record_a_no_show(who, request):
    assignment = AssignmentFactory(pledge_line__pledge__request__country="PL")

    with pytest.raises(PermissionDenied):
        record_no_show(assignment.pk, actor=request.getfixturevalue(who))  # refused as a stranger, not for the reason

    assignment.refresh_from_db()
    assert assignment.status == "planned"


def test_the_countrys_liaison_records_a_no_show_with_what_happened_and_the_coordinators_are_told(
    liaison_pl, coordinator
):
    assignment = AssignmentFactory(status="confirmed", pledge_line__pledge__request__country="PL")

    record_no_show(assignment.pk, actor=liaison_pl, reason="  The team missed the 07:10 train.  ")

    assignment.refresh_from_db()
    assert assignment.status == "cancelled"
    assert assignment.status_reason == "No-show: nobody reported for duty. The team missed the 07:10 train."
    assert assignment.history.first().history_user == liaison_pl
    body = Notification.objects.get(recipient=coordinator, event="assignment_cancelled", channel="in_app").body
    assert "The country's liaison officer cancelled the assignment" in body
    assert "Reason: No-show: nobody reported for duty. The team missed the 07:10 train." in body


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_liaisons_no_show_without_what_happened_is_refused_and_changes_nothing(reason, liaison_pl):
    assignment = AssignmentFactory(status="confirmed", pledge_line__pledge__request__country="PL")

    with pytest.raises(ValidationError) as refused:
        record_no_show(assignment.pk, actor=liaison_pl, reason=reason)

    assert refused.value.message_dict == {"reason": ["Say what happened: the ministry reads it with the no-show."]}
    assignment.refresh_from_db()
    assert (assignment.status, assignment.status_reason) == ("confirmed", "")
    assert not Notification.objects.exists()


def test_a_coordinators_no_show_may_add_what_happened(coordinator):
    assignment = AssignmentFactory(status="planned")

    record_no_show(assignment.pk, actor=coordinator, reason="Called the commander: no answer.")

    assignment.refresh_from_db()
    assert assignment.status_reason == "No-show: nobody reported for duty. Called the commander: no answer."


def test_a_liaisons_no_show_before_the_shift_starts_is_refused_too(liaison_pl):
    later = timezone.now() + dt.timedelta(minutes=5)
    assignment = AssignmentFactory(starts_at=later, ends_at=later + dt.timedelta(hours=8))

    with pytest.raises(ValidationError, match="once the assignment has started"):
        record_no_show(assignment.pk, actor=liaison_pl, reason="Nobody yet.")

    assignment.refresh_from_db()
    assert assignment.status == "planned"


def test_each_coordinator_reads_the_liaisons_no_show_in_their_own_language(liaison_pl, coordinators):
    assignment = AssignmentFactory(status="confirmed", pledge_line__pledge__request__country="PL")

    record_no_show(assignment.pk, actor=liaison_pl, reason="The coach broke down at Arras.")

    bodies = {
        n.recipient.language: n.body
        for n in Notification.objects.filter(event="assignment_cancelled", channel="in_app")
    }
    assert bodies["en"].endswith("Reason: No-show: nobody reported for duty. The coach broke down at Arras.\n")
    assert bodies["fr"].startswith("L’officier de liaison du pays a annulé l’affectation")
    assert bodies["fr"].endswith("Motif : Absence : personne ne s'est présenté. The coach broke down at Arras.\n")

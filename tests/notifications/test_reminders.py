"""SPEC §6 reminders, each rule just inside and just outside its threshold, with an injected clock."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from notifications.models import Notification
from notifications.reminders import send_all
from tests.factories import (
    AssignmentFactory,
    LiaisonFactory,
    PledgeFactory,
    RequestFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db

NOW = at(24, 9)  # Wednesday 24 July 2024, 09:00 Paris
TODAY = dt.date(2024, 7, 24)


@pytest.fixture
def liaison(db):
    return LiaisonFactory(country="PL", language="fr")


def reminded(event, now=NOW):
    return {(row.event, row.recipient.username) for row in send_all(now) if row.event == event}


def test_liaisons_are_reminded_of_an_answer_due_in_three_days(liaison):
    RequestFactory(status="sent", response_due=TODAY + dt.timedelta(days=3))

    assert reminded("reminder_response_due") == {("reminder_response_due", liaison.username)}


def test_liaisons_are_not_reminded_of_an_answer_due_in_four_days(liaison):
    RequestFactory(status="sent", response_due=TODAY + dt.timedelta(days=4))

    assert reminded("reminder_response_due") == set()


def test_the_due_reminder_is_in_the_liaisons_language_with_the_due_date(liaison):
    request = RequestFactory(status="acknowledged", response_due=TODAY)

    send_all(NOW)

    row = Notification.objects.get(event="reminder_response_due", channel="in_app")
    assert row.subject == "Rappel : réponse attendue avant le 24 juillet 2024 (demande Paris 2024 à PL (police))"
    assert row.url == f"/portal/requests/{request.pk}/"


@pytest.mark.parametrize("status", ["submitted", "changes_requested", "accepted", "rejected"])
def test_a_country_that_answered_with_a_pledge_is_not_reminded(liaison, status):
    PledgeFactory(request__status="sent", request__response_due=TODAY + dt.timedelta(days=1), status=status)

    assert reminded("reminder_response_due") == set()


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_a_draft_or_withdrawn_pledge_is_no_answer(liaison, status):
    PledgeFactory(request__status="sent", request__response_due=TODAY + dt.timedelta(days=1), status=status)

    assert reminded("reminder_response_due") == {("reminder_response_due", liaison.username)}


def test_a_declined_request_is_not_reminded(liaison):
    RequestFactory(status="declined", response_due=TODAY + dt.timedelta(days=1))

    assert reminded("reminder_response_due") == set()


def test_coordinators_get_one_digest_of_overdue_answers(coordinators, liaison):
    RequestFactory(status="sent", country="PL", response_due=TODAY - dt.timedelta(days=1))
    RequestFactory(status="sent", country="IT", response_due=TODAY - dt.timedelta(days=9))

    send_all(NOW)

    rows = Notification.objects.filter(event="reminder_response_overdue", channel="in_app")
    assert sorted(row.recipient_id for row in rows) == sorted(user.pk for user in coordinators)
    english = rows.get(recipient=coordinators[0])
    assert english.url == "/ops/paris-2024/requests/"
    assert english.subject == "2 requests await an overdue answer"
    assert "- Paris 2024 request to IT (police), due 15 July 2024" in english.body
    assert (
        "- Demande Paris 2024 à PL (police), réponse attendue le 23 juillet 2024"
        in rows.get(recipient=coordinators[1]).body
    )


def test_an_answer_due_today_is_not_overdue(coordinators):
    RequestFactory(status="sent", response_due=TODAY)

    assert reminded("reminder_response_overdue") == set()


def test_coordinators_are_reminded_of_a_pledge_undecided_for_two_days(coordinators):
    pledge = PledgeFactory(status="submitted", submitted_at=NOW - dt.timedelta(days=2, minutes=1))

    assert reminded("reminder_pledge_undecided") == {("reminder_pledge_undecided", u.username) for u in coordinators}
    assert Notification.objects.filter(event="reminder_pledge_undecided", url=f"/pledges/{pledge.pk}/").exists()


def test_a_pledge_submitted_less_than_two_days_ago_is_not_reminded(coordinators):
    PledgeFactory(status="submitted", submitted_at=NOW - dt.timedelta(days=2) + dt.timedelta(minutes=1))

    assert reminded("reminder_pledge_undecided") == set()


def test_liaisons_are_reminded_of_a_planned_assignment_starting_within_48_hours(liaison):
    AssignmentFactory(status="planned", starts_at=NOW + dt.timedelta(hours=48), ends_at=NOW + dt.timedelta(hours=56))

    assert reminded("reminder_assignments_unconfirmed") == {("reminder_assignments_unconfirmed", liaison.username)}


def test_an_assignment_starting_after_48_hours_is_not_reminded(liaison):
    start = NOW + dt.timedelta(hours=48, minutes=1)
    AssignmentFactory(status="planned", starts_at=start, ends_at=start + dt.timedelta(hours=8))

    assert reminded("reminder_assignments_unconfirmed") == set()


def test_a_confirmed_assignment_is_not_reminded(liaison):
    AssignmentFactory(status="confirmed", starts_at=NOW + dt.timedelta(hours=2), ends_at=NOW + dt.timedelta(hours=8))

    assert reminded("reminder_assignments_unconfirmed") == set()


def test_planned_assignments_of_a_country_come_in_one_digest(liaison):
    line = accepted_line()
    for hours in (2, 20, 40):
        start = NOW + dt.timedelta(hours=hours)
        AssignmentFactory(pledge_line=line, status="planned", starts_at=start, ends_at=start + dt.timedelta(hours=1))

    send_all(NOW)

    row = Notification.objects.get(event="reminder_assignments_unconfirmed", channel="in_app")
    assert row.subject == "Rappel : 3 affectations imminentes ne sont pas confirmées"
    assert row.body.count("\n- ") == 3


def k9_assignment(expires_on, ends_at):
    team = accepted_team(certification_expires_on=expires_on, available_to=dt.date(2024, 8, 20))
    return AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, starts_at=ends_at - dt.timedelta(hours=8), ends_at=ends_at
    )


def test_a_certification_expiring_before_an_assignment_ends_is_told_to_both_sides(coordinators, liaison):
    k9_assignment(expires_on=dt.date(2024, 7, 29), ends_at=at(30, 2))

    assert reminded("reminder_k9_certification") == {
        ("reminder_k9_certification", u.username) for u in [*coordinators, liaison]
    }


def test_a_certification_valid_through_the_last_day_of_an_assignment_is_not_told(coordinators, liaison):
    k9_assignment(expires_on=dt.date(2024, 7, 30), ends_at=at(31, 0))

    assert reminded("reminder_k9_certification") == set()


def test_reminders_run_twice_the_same_day_are_sent_once(coordinators, liaison):
    RequestFactory(status="sent", response_due=TODAY + dt.timedelta(days=1))
    PledgeFactory(request__country="IT", status="submitted", submitted_at=NOW - dt.timedelta(days=3))

    first = send_all(NOW)
    second = send_all(NOW + dt.timedelta(hours=10))

    assert len(first) == 1 + len(coordinators)
    assert second == []
    assert Notification.objects.filter(channel="email").count() == 1 + len(coordinators)


def test_a_reminder_still_due_the_next_day_is_sent_again(liaison):
    RequestFactory(status="sent", response_due=TODAY + dt.timedelta(days=2))

    send_all(NOW)
    again = send_all(NOW + dt.timedelta(days=1))

    assert [row.event for row in again] == ["reminder_response_due"]


def test_a_dry_run_writes_nothing(liaison):
    RequestFactory(status="sent", response_due=TODAY)

    rows = send_all(NOW, dry_run=True)

    assert len(rows) == 1
    assert not Notification.objects.exists()


def test_the_command_prints_what_it_sent(liaison, capsys):
    RequestFactory(status="sent", response_due=TODAY)

    call_command("send_reminders", "--at", NOW.isoformat())

    out = capsys.readouterr().out
    assert f"sent\treminder_response_due\t{liaison.username}\tRappel : réponse attendue" in out
    assert out.rstrip().endswith("1 reminder(s) sent.")


def test_the_commands_dry_run_says_what_would_be_sent_and_keeps_nothing(liaison, capsys):
    RequestFactory(status="sent", response_due=TODAY)

    call_command("send_reminders", "--dry-run", "--at", NOW.isoformat())

    assert "1 reminder(s) would be sent." in capsys.readouterr().out
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_still_send_each_reminder_once(coordinators, liaison):
    RequestFactory(status="sent", response_due=TODAY + dt.timedelta(days=1))
    PledgeFactory(request__country="IT", status="submitted", submitted_at=NOW - dt.timedelta(days=3))
    start = threading.Barrier(2)

    def run():
        start.wait()
        try:
            send_all(NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Notification.objects.filter(channel="in_app").count() == 1 + len(coordinators)

"""Delivery through a real Celery worker on the real Redis broker (SPEC §6): nothing lost, nothing twice."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import deliver, message_id, send_again, send_reminders, sweep_pending
from reinforcements.transitions import acknowledge_request, send_request
from tests.factories import LiaisonFactory, RequestFactory, RequestLineFactory
from tests.notifications.conftest import broker_at, closed_port, running_worker, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def liaisons(db):
    return [LiaisonFactory(country="PL", language="en"), LiaisonFactory(country="PL", language="fr")]


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_a_move_mails_each_recipient_once_in_their_language(celery_worker, coordinator, liaisons):
    request = RequestLineFactory(request__status="draft").request

    send_request(request.pk, actor=coordinator)

    assert wait_until(lambda: len(mail.outbox) == 2)
    celery_worker.drain()
    english, french = mails_to(liaisons[0]), mails_to(liaisons[1])
    assert len(english) == len(french) == 1
    assert english[0].subject.startswith("Request for reinforcements: ")
    assert french[0].subject.startswith("Demande de renforts : ")
    assert f"http://127.0.0.1:8000/portal/requests/{request.pk}/" in french[0].body
    assert set(Notification.objects.filter(channel="email").values_list("status", "attempts")) == {("sent", 1)}


def test_a_row_already_sent_and_queued_again_is_not_mailed_again(celery_worker, coordinator, liaisons):
    send_request(RequestLineFactory(request__status="draft").request.pk, actor=coordinator)
    assert wait_until(lambda: len(mail.outbox) == 2)

    for pk in Notification.objects.filter(channel="email").values_list("pk", flat=True):
        deliver.delay(pk)  # a redelivered message, a sweep racing the after-commit hook...
    celery_worker.drain()

    assert len(mail.outbox) == 2
    assert sorted(celery_worker.outcomes) == ["sent", "sent", "skipped", "skipped"]


def test_each_mail_names_its_row_and_carries_the_same_message_id_on_every_try(celery_worker, coordinator, liaisons):
    send_request(RequestLineFactory(request__status="draft").request.pk, actor=coordinator)
    assert wait_until(lambda: len(mail.outbox) == 2)
    celery_worker.drain()

    rows = Notification.objects.filter(channel="email")
    named = {int(m.extra_headers["X-Reinforcements-Notification"]): m.extra_headers["Message-ID"] for m in mail.outbox}
    assert named == {row.pk: message_id(row.pk) for row in rows}
    assert len(set(named.values())) == 2 and all(v.endswith("@interieur.gouv.example>") for v in named.values())


def test_with_the_broker_down_moves_succeed_and_the_sweeper_later_mails_each_once(empty_queue, coordinators):
    requests = [RequestFactory(status="sent", country=country) for country in ("PL", "DE", "IT")]
    liaison_of = {request.pk: LiaisonFactory(country=request.country) for request in requests}

    with broker_at(f"redis://127.0.0.1:{closed_port()}/0"):
        started = time.monotonic()
        for request in requests:
            acknowledge_request(request.pk, actor=liaison_of[request.pk])
        elapsed = time.monotonic() - started

    assert elapsed < 3
    expected = len(requests) * len(coordinators)
    assert Notification.objects.filter(channel="email", status="pending").count() == expected
    assert mail.outbox == []

    # The broker is back: two sweeps queue every row twice, then a worker comes up.
    assert sweep_pending(older_than_seconds=0) == expected
    assert sweep_pending(older_than_seconds=0) == expected
    with running_worker() as worker:
        worker.drain()

    assert len(mail.outbox) == expected
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in coordinators for _ in requests)
    assert worker.outcomes.count("sent") == worker.outcomes.count("skipped") == expected
    assert not Notification.objects.filter(channel="email").exclude(status="sent").exists()


def test_the_sweeper_leaves_alone_rows_not_yet_overdue(empty_queue, coordinator, liaisons):
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0"):
        send_request(RequestLineFactory(request__status="draft").request.pk, actor=coordinator)

    assert sweep_pending() == 0  # due a moment ago: the after-commit hook may still be on it


def test_a_pending_email_written_without_the_outbox_is_swept_too(celery_worker, coordinator):
    Notification.objects.create(recipient=coordinator, event="request_sent", subject="S", body="B", channel="email")

    assert sweep_pending(older_than_seconds=0) == 1

    assert wait_until(lambda: len(mail.outbox) == 1)


def test_a_hung_broker_does_not_hold_up_the_move(empty_queue, coordinator, liaisons, hung_broker):
    drafts = [RequestLineFactory(request__status="draft", request__country=c).request for c in ("PL", "DE")]
    LiaisonFactory(country="DE")

    with broker_at(hung_broker):
        timings = []
        for request in drafts:
            started = time.monotonic()
            send_request(request.pk, actor=coordinator)
            timings.append(time.monotonic() - started)

    assert timings[0] < 3
    assert timings[1] < 0.5  # publishing paused after the first failure: the sweeper will send it
    assert Notification.objects.filter(channel="email", status="pending").count() == 3


def test_a_failing_mail_server_is_retried_then_the_row_fails_with_its_error(
    celery_worker, coordinator, liaisons, settings
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }
    request = RequestLineFactory(request__status="draft").request

    send_request(request.pk, actor=coordinator)  # the move itself succeeds

    emails = Notification.objects.filter(channel="email")
    assert wait_until(lambda: all(row.status == "failed" for row in emails.all()), timeout=30)
    assert {(row.attempts, row.next_attempt_at) for row in emails} == {(settings.NOTIFICATION_MAX_ATTEMPTS, None)}
    assert all("ConnectionRefusedError" in row.last_error for row in emails)
    assert Notification.objects.filter(channel="in_app").count() == 2


def test_a_failed_email_sent_again_once_the_mail_server_is_back_is_mailed_once(
    celery_worker, coordinator, liaisons, settings
):
    mailers = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port()},
        }
    }
    send_request(RequestLineFactory(request__status="draft").request.pk, actor=coordinator)
    emails = Notification.objects.filter(channel="email")
    assert wait_until(lambda: all(row.status == "failed" for row in emails.all()), timeout=30)

    settings.MAILERS = mailers
    assert send_again(emails.values_list("pk", flat=True)) == 2

    assert wait_until(lambda: len(mail.outbox) == 2)
    celery_worker.drain()
    assert len(mail.outbox) == 2
    assert {(row.status, row.attempts) for row in emails.all()} == {("sent", 1)}


def test_an_email_to_someone_without_an_address_fails_at_once(empty_queue, coordinator, liaisons):
    send_request(RequestLineFactory(request__status="draft").request.pk, actor=coordinator)
    row = Notification.objects.filter(channel="email").first()
    row.recipient.email = ""
    row.recipient.save()

    deliver.apply(args=[row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "The recipient has no email address.")


def test_a_rolled_back_move_writes_and_mails_nothing(celery_worker, coordinator, liaisons):
    draft = RequestLineFactory(request__status="draft").request
    other = RequestLineFactory(request__status="draft", request__authority="defence").request

    with pytest.raises(RuntimeError), transaction.atomic():
        send_request(draft.pk, actor=coordinator)
        raise RuntimeError("the page failed after the move")
    send_request(other.pk, actor=coordinator)

    assert wait_until(lambda: len(mail.outbox) == 2)
    celery_worker.drain()
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(object_id=draft.pk).exists()
    assert all("military specialists" in m.subject or "spécialistes militaires" in m.subject for m in mail.outbox)


def test_the_reminders_task_run_twice_in_a_day_mails_each_reminder_once(celery_worker, liaisons):
    RequestFactory(status="sent", response_due=timezone.localdate() + dt.timedelta(days=1))

    send_reminders.delay()
    assert wait_until(lambda: len(mail.outbox) == 2)
    send_reminders.delay()
    celery_worker.drain()

    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {u.email for u in liaisons}
    assert mails_to(liaisons[1])[0].subject.startswith("Rappel : réponse attendue avant le ")

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.factories import CoordinatorFactory


def test_logging_in_sets_the_users_own_language(client, db):
    CoordinatorFactory(username="marie", language="fr")

    response = client.post(reverse("login"), {"username": "marie", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_a_wrong_password_is_refused_on_the_form(client, coordinator):
    response = client.post(reverse("login"), {"username": "coord", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_too_many_failures_lock_the_account_with_a_clear_message(client, coordinator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "coord", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "coord", "password": "correct-horse-battery"})

    assert response.status_code == 429
    retry_at = response.context["retry_at"]
    assert dt.timedelta(minutes=14) < retry_at - timezone.now() <= dt.timedelta(minutes=15)
    assert f"signing in is locked until {retry_at:%H:%M}" in response.content.decode()


def test_the_header_shows_the_unread_count_and_the_inbox_marks_read(client, coordinator):
    notification = Notification.objects.create(
        recipient=coordinator, event="pledge_submitted", subject="Poland submitted a pledge", body="…",
        channel="in_app", url="/pledges/1/",
    )  # fmt: skip
    client.force_login(coordinator)

    html = client.get(reverse("inbox")).content.decode()
    response = client.post(reverse("notification_read", args=[notification.pk]), {"open": "1"})

    assert '<span class="count" aria-label="unread">1</span>' in html
    assert response.url == "/pledges/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_cannot_be_read(client, coordinator, viewer):
    notification = Notification.objects.create(recipient=viewer, event="x", subject="s", body="b", channel="in_app")
    client.force_login(coordinator)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 404

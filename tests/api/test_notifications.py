import pytest

from notifications.models import Notification
from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db


def note(user, channel="in_app", read=False):
    return Notification.objects.create(
        recipient=user, event="pledge_submitted", subject="s", body="b", channel=channel, status="sent",
        read_at="2024-07-01T10:00:00+02:00" if read else None,
    )  # fmt: skip


def test_a_user_lists_only_their_own_in_app_notifications(liaison_pl, liaison_de):
    mine = note(liaison_pl)
    note(liaison_pl, channel="email")
    note(liaison_de)

    response = client_as(liaison_pl).get("/api/v1/notifications/")

    assert [row["id"] for row in response.data["results"]] == [mine.pk]


def test_unread_true_keeps_the_unread_ones(liaison_pl):
    unread = note(liaison_pl)
    note(liaison_pl, read=True)

    response = client_as(liaison_pl).get("/api/v1/notifications/", {"unread": "true"})

    assert [row["id"] for row in response.data["results"]] == [unread.pk]


def test_reading_a_notification_stamps_it(liaison_pl):
    notification = note(liaison_pl)

    response = client_as(liaison_pl).post(f"/api/v1/notifications/{notification.pk}/read/")

    assert response.status_code == 200
    assert response.data["read_at"] is not None


def test_someone_elses_notification_is_a_404(liaison_pl, coordinator):
    notification = note(liaison_pl)

    response = client_as(coordinator).post(f"/api/v1/notifications/{notification.pk}/read/")

    assert response.status_code == 404


def test_read_all_marks_every_unread_one_of_the_caller_only(liaison_pl, liaison_de):
    note(liaison_pl), note(liaison_pl)
    other = note(liaison_de)

    response = client_as(liaison_pl).post("/api/v1/notifications/read-all/")

    assert response.data == {"marked": 2}
    other.refresh_from_db()
    assert other.read_at is None

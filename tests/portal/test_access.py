import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from tests.factories import LiaisonFactory, RequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("staff", ["coordinator", "viewer"])
def test_ministry_staff_opening_the_portal_are_sent_to_the_staff_pages(request, staff):
    response = client_for(request.getfixturevalue(staff)).get(reverse("portal:home"))

    assert response.status_code == 302
    assert response.url == "/"


def test_a_user_without_a_role_is_refused(db):
    response = client_for(UserFactory()).get(reverse("portal:home"))

    assert response.status_code == 403


def test_the_portal_speaks_the_liaisons_profile_language():
    liaison = LiaisonFactory(country="PL", language="fr")

    response = client_for(liaison).get(reverse("portal:home"))

    assert '<html lang="fr">' in response.content.decode()
    assert "Ce qui vous attend" in response.content.decode()


def test_the_language_switch_overrides_the_profile_language(settings):
    client = client_for(LiaisonFactory(country="PL", language="fr"))

    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    response = client.get(reverse("portal:home"))

    assert '<html lang="en">' in response.content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(pl_client, liaison_pl):
    request = RequestFactory(country="PL")
    note = Notification.objects.create(
        recipient=liaison_pl, event="request_sent", subject="New request", body="...", channel="in_app",
        url=f"/portal/requests/{request.pk}/",
    )  # fmt: skip

    response = pl_client.post(reverse("portal:notification_read", args=[note.pk]))

    note.refresh_from_db()
    assert response.url == f"/portal/requests/{request.pk}/"
    assert note.read_at is not None

"""Logins are throttled and locked (django-axes), sessions expire, passwords are strong, the
admin is for superusers only."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from pledges.models import Pledge
from tests.factories import CoordinatorFactory, PledgeFactory, UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def _admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_admin_login_locks_after_the_failure_limit_even_with_the_right_password(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _admin_login(client, "root", "wrong-guess")

    response = _admin_login(client, "root", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_works_below_the_failure_limit(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _admin_login(client, "root", "wrong-guess")

    response = _admin_login(client, "root", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_any_login_through_authenticate_with_a_request_is_locked_after_the_failure_limit():
    # The token endpoint and the login page both call authenticate(request=...).
    user = UserFactory(username="liaison")
    factory = RequestFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert authenticate(request=factory.post("/api/v1/auth/token/"), username="liaison", password="nope") is None

    locked = authenticate(request=factory.post("/api/v1/auth/token/"), username="liaison", password=PASSWORD)

    assert locked is None
    assert user.check_password(PASSWORD)


def test_a_lockout_of_one_user_leaves_another_user_free():
    UserFactory(username="target")
    UserFactory(username="bystander")
    factory = RequestFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        authenticate(request=factory.post("/login/"), username="target", password="nope")

    user = authenticate(request=factory.post("/login/"), username="bystander", password=PASSWORD)

    assert user is not None and user.username == "bystander"


def test_a_session_ends_when_its_age_is_reached(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_sessions_last_a_working_day_at_most_and_end_with_the_browser():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.parametrize("password", ["short-1", "password1234", "12345678901234", "anna.nowak.pl"])
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="anna.nowak", email="anna.nowak@policja.example", first_name="Anna")

    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("Vistula-barge-at-dawn-42", UserFactory.build(username="anna.nowak"))


def test_staff_without_superuser_cannot_open_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=False))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_coordinator_with_the_staff_flag_cannot_change_a_pledge_through_the_admin(client):
    coordinator = CoordinatorFactory(is_staff=True)
    pledge = PledgeFactory(commander_name="Insp. Anna Nowak")
    client.force_login(coordinator)

    response = client.post(
        f"/admin/pledges/pledge/{pledge.pk}/change/",
        {"commander_name": "Someone Else", "commander_contact": "x", "request": pledge.request_id},
    )

    assert response.status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).commander_name == "Insp. Anna Nowak"


def test_a_superuser_opens_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    assert response.status_code == 200

"""API tokens: locked like any login after repeated failures, revocable at once."""

import pytest
from django.conf import settings
from knox.models import AuthToken

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.trust.token_urls")]
PASSWORD = "correct-horse-battery"


def _token(api_client, username, password):
    return api_client.post("/api/v1/auth/token/", {"username": username, "password": password})


def test_the_token_endpoint_gives_a_token_for_the_right_password(api_client):
    UserFactory(username="liaison")

    response = _token(api_client, "liaison", PASSWORD)

    assert response.status_code == 200
    assert AuthToken.objects.get(user__username="liaison").token_key == response.data["token"][:15]
    assert response.data["expiry"]


def test_the_token_endpoint_refuses_even_the_right_password_after_the_failure_limit(api_client):
    UserFactory(username="liaison")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # the failure that reaches the limit is already answered as a lockout
        assert _token(api_client, "liaison", "guess").status_code in (400, 429)

    response = _token(api_client, "liaison", PASSWORD)

    assert response.status_code in (400, 403, 429)
    assert "token" not in response.data
    assert not AuthToken.objects.filter(user__username="liaison").exists()


def test_a_deleted_token_stops_working_at_once(api_client):
    token, key = AuthToken.objects.create(user=UserFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/whoami/").status_code == 200

    token.delete()

    assert api_client.get("/whoami/").status_code == 401


def test_a_deactivated_user_s_token_stops_working(api_client):
    user = UserFactory()
    _token, key = AuthToken.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    user.is_active = False
    user.save()

    assert api_client.get("/whoami/").status_code == 401


def test_a_rotated_token_replaces_the_old_one(api_client):
    user = UserFactory()
    old = AuthToken.objects.create(user=user)[1]

    AuthToken.objects.filter(user=user).delete()
    new = AuthToken.objects.create(user=user)[1]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api_client.get("/whoami/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api_client.get("/whoami/").status_code == 200

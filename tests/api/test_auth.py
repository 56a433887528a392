import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import ScopedRateThrottle

from accounts.tokens import TokenAuthentication
from core.roles import liaison_country

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def obtain(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password})


def test_a_user_gets_a_token_that_authenticates_api_calls(liaison_pl):
    client = APIClient()

    token = obtain(client, liaison_pl.username, PASSWORD).data["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/requests/").status_code == 200


def test_a_wrong_password_is_a_400_without_a_token(liaison_pl):
    response = obtain(APIClient(), liaison_pl.username, "wrong")

    assert response.status_code == 400
    assert "token" not in response.data


def test_a_token_brings_its_liaisons_country_along(liaison_pl, django_assert_num_queries):
    _row, key = AuthToken.objects.create(user=liaison_pl)
    request = APIRequestFactory().get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {key}")

    with django_assert_num_queries(1):  # token ⋈ user ⋈ liaison profile (its idle end moves at most once a minute)
        user, _token = TokenAuthentication().authenticate(request)
        country = liaison_country(user)

    assert country == "PL"


def test_an_inactive_users_token_is_a_401(liaison_pl):
    _row, key = AuthToken.objects.create(user=liaison_pl)
    liaison_pl.is_active = False
    liaison_pl.save()

    response = APIClient().get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 401
    assert response.data["detail"] == "Invalid token."  # deactivating deleted it (accounts.signals)


def test_an_unknown_token_is_a_401():
    response = APIClient().get("/api/v1/requests/", HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert response.status_code == 401
    assert response.data["detail"] == "Invalid token."


def test_revoking_the_token_logs_the_client_out(liaison_pl):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtain(client, liaison_pl.username, PASSWORD).data['token']}")

    assert client.post("/api/v1/auth/token/revoke/").status_code == 204

    assert client.get("/api/v1/requests/").status_code == 401
    assert not AuthToken.objects.filter(user=liaison_pl).exists()


def test_repeated_wrong_passwords_lock_the_account_out_even_with_the_right_one(liaison_pl, settings):
    client = APIClient()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        obtain(client, liaison_pl.username, "wrong")

    response = obtain(client, liaison_pl.username, PASSWORD)

    assert response.status_code == 429
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "throttled"


def test_too_many_login_attempts_are_throttled(liaison_pl):
    allowed = int(ScopedRateThrottle.THROTTLE_RATES["login"].split("/")[0])
    client = APIClient()

    statuses = [obtain(client, f"nobody{n}", "wrong").status_code for n in range(allowed + 1)]

    assert statuses[:allowed] == [400] * allowed
    assert statuses[-1] == 429


def test_a_session_also_authenticates_the_api(liaison_pl):
    client = APIClient()
    client.force_login(liaison_pl)

    assert client.get("/api/v1/requests/").status_code == 200


def _token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def _separate_role_reads(queries):
    """Queries that read groups or liaison profiles on their own (core.auth reads them with the user)."""
    return [q["sql"] for q in queries if q["sql"].startswith(('SELECT "auth_group"', 'SELECT "reinforcements_liaison'))]


@pytest.mark.parametrize("who", ["coordinator", "liaison_pl"])
def test_a_token_call_reads_the_user_with_their_groups_and_profile_in_one_query(request, who):
    client = _token_client(request.getfixturevalue(who))

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/requests/").status_code == 200

    assert _separate_role_reads(queries) == []


def test_a_page_reads_the_signed_in_user_with_their_groups_in_one_query(client, coordinator):
    client.force_login(coordinator)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/").status_code == 200

    assert _separate_role_reads(queries) == []


def test_a_coordinator_taken_out_of_the_group_loses_the_rights_at_the_next_call(coordinator):
    client = _token_client(coordinator)
    assert client.post("/api/v1/operations/", {}).status_code == 400  # allowed: the body is what is wrong

    coordinator.groups.clear()

    assert client.post("/api/v1/operations/", {}).status_code == 403

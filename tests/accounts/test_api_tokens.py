"""API tokens (SPEC §11): hashed, one per sign-in, idle expiry, revoked by their owner and by a new password."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import twofactor
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def sign_in(username, password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra})


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_sign_in_answers_the_token_and_when_it_ends(liaison_pl, settings):
    response = sign_in(liaison_pl.username)

    assert response.status_code == 200
    assert set(response.data) == {"token", "expiry"}
    expiry = dt.datetime.fromisoformat(response.json()["expiry"])
    assert abs(expiry - (timezone.now() + dt.timedelta(hours=settings.TOKEN_IDLE_HOURS))) < dt.timedelta(minutes=1)


def test_a_token_works_then_stops_after_its_idle_hours(liaison_pl, settings):
    token = sign_in(liaison_pl.username).data["token"]
    start = timezone.now()
    assert client_with(token).get("/api/v1/requests/").status_code == 200

    later = start + dt.timedelta(hours=settings.TOKEN_IDLE_HOURS, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client_with(token).get("/api/v1/requests/")

    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=liaison_pl).exists()


def test_each_call_pushes_the_idle_end_back(liaison_pl, settings):
    token = sign_in(liaison_pl.username).data["token"]
    start = timezone.now()
    idle = dt.timedelta(hours=settings.TOKEN_IDLE_HOURS)

    with mock.patch("django.utils.timezone.now", return_value=start + idle - dt.timedelta(minutes=5)):
        assert client_with(token).get("/api/v1/requests/").status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=start + idle + dt.timedelta(minutes=5)):
        response = client_with(token).get("/api/v1/requests/")

    assert response.status_code == 200


def test_a_token_ends_when_the_password_changes(liaison_pl):
    token = sign_in(liaison_pl.username).data["token"]

    liaison_pl.set_password("another-long-passphrase")
    liaison_pl.save()

    assert client_with(token).get("/api/v1/requests/").status_code == 401


def test_changing_the_password_on_the_page_ends_every_token(client, liaison_pl):
    tokens = [sign_in(liaison_pl.username).data["token"] for _ in range(2)]
    client.force_login(liaison_pl)

    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )

    assert response.status_code == 302
    assert [client_with(t).get("/api/v1/requests/").status_code for t in tokens] == [401, 401]


def test_two_sign_ins_give_two_tokens_and_revoking_one_leaves_the_other(liaison_pl):
    first, second = sign_in(liaison_pl.username).data["token"], sign_in(liaison_pl.username).data["token"]
    assert first != second

    response = client_with(first).post("/api/v1/auth/token/revoke/")

    assert response.status_code == 204
    assert client_with(first).get("/api/v1/requests/").status_code == 401
    assert client_with(second).get("/api/v1/requests/").status_code == 200


def test_the_token_table_holds_no_usable_key(liaison_pl):
    token = sign_in(liaison_pl.username).data["token"]

    rows = list(AuthToken.objects.values_list("digest", "token_key"))

    assert rows and all(token not in (digest, key) for digest, key in rows)
    for digest, key in rows:
        assert client_with(digest).get("/api/v1/requests/").status_code == 401
        assert client_with(key).get("/api/v1/requests/").status_code == 401


def test_the_owner_lists_their_tokens_and_revokes_one_by_id(liaison_pl, liaison_de):
    first, second = sign_in(liaison_pl.username).data["token"], sign_in(liaison_pl.username).data["token"]
    sign_in(liaison_de.username)

    listed = client_with(first).get("/api/v1/auth/tokens/").json()
    other = next(t for t in listed if not t["current"])
    response = client_with(first).delete(f"/api/v1/auth/tokens/{other['id']}/")

    assert len(listed) == 2 and sum(t["current"] for t in listed) == 1
    assert response.status_code == 204
    assert client_with(second).get("/api/v1/requests/").status_code == 401
    assert client_with(first).get("/api/v1/requests/").status_code == 200


def test_nobody_revokes_another_users_token(liaison_pl, liaison_de):
    mine = sign_in(liaison_pl.username).data["token"]
    theirs = sign_in(liaison_de.username).data["token"]

    response = client_with(mine).delete(f"/api/v1/auth/tokens/{theirs[:15]}/")

    assert response.status_code == 404
    assert client_with(theirs).get("/api/v1/requests/").status_code == 200


def test_the_tokens_page_lists_and_revokes_the_owners_tokens(client, liaison_pl):
    token = sign_in(liaison_pl.username).data["token"]
    client.force_login(liaison_pl)

    page = client.get("/accounts/tokens/")
    client.post(f"/accounts/tokens/{token[:15]}/revoke/")

    assert token[:15] in page.content.decode()
    assert client_with(token).get("/api/v1/requests/").status_code == 401


def test_malformed_token_headers_are_401_not_500():
    for header in ["Token", "Token a b", "Token \u00e9\u00e9\u00e9", "Token " + "f" * 5000]:
        response = APIClient().get("/api/v1/requests/", HTTP_AUTHORIZATION=header)

        assert response.status_code == 401, header


@pytest.fixture
def enrolled_coordinator(db):
    user = CoordinatorFactory(username="otp-coord")
    device = twofactor.pending_device(user)
    from django_otp.oath import totp

    codes = twofactor.confirm(user, f"{totp(device.bin_key):06d}")
    user.recovery_codes = codes
    return user


def test_a_two_factor_user_must_send_the_code_too(enrolled_coordinator):
    response = sign_in("otp-coord")

    assert response.status_code == 400
    assert set(response.data) == {"otp"}


def test_a_wrong_code_gets_no_token(enrolled_coordinator):
    response = sign_in("otp-coord", otp="000000")

    assert response.status_code == 400
    assert "token" not in response.data


def test_a_recovery_code_gets_a_token_once(enrolled_coordinator):
    code = enrolled_coordinator.recovery_codes[0]

    first, second = sign_in("otp-coord", otp=code), sign_in("otp-coord", otp=code)

    assert first.status_code == 200 and "token" in first.data
    assert second.status_code == 400

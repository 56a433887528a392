"""Sessions end when idle or old, the second factor is asked after the password, password reset
answers the same for every address and is throttled (SPEC §11)."""

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django_otp.oath import totp
from rest_framework.throttling import ScopedRateThrottle

from accounts import sessions, twofactor
from tests.factories import CoordinatorFactory, LiaisonFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def log_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_session_ends_after_its_idle_minutes(client, liaison_pl, settings):
    client.force_login(liaison_pl)
    assert client.get("/portal/").status_code == 200

    later = time.time() + settings.SESSION_IDLE_MINUTES * 60 + 5
    with mock.patch("accounts.sessions.time.time", return_value=later):
        response = client.get("/portal/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_busy_session_still_ends_eight_hours_after_sign_in(client, liaison_pl, settings):
    client.force_login(liaison_pl)
    start = time.time()
    step = settings.SESSION_IDLE_MINUTES * 60 - 60
    for n in range(1, settings.SESSION_COOKIE_AGE // step + 2):
        with mock.patch("accounts.sessions.time.time", return_value=start + n * step):
            response = client.get("/portal/")

    assert response.status_code == 302


def test_requests_within_a_minute_do_not_rewrite_the_session(client, liaison_pl):
    client.force_login(liaison_pl)
    seen = client.session[sessions.SEEN_AT]

    client.get("/portal/")

    assert client.session[sessions.SEEN_AT] == seen


@pytest.fixture
def enrolled(db):
    user = CoordinatorFactory(username="otp-coord")
    device = twofactor.pending_device(user)
    codes = twofactor.confirm(user, f"{totp(device.bin_key):06d}")
    return user, device, codes


def test_after_the_password_a_two_factor_user_is_asked_for_the_code(client, enrolled):
    log_in(client, "otp-coord")

    assert client.get("/notifications/").url == "/accounts/two-factor/verify/"
    assert client.get("/api/v1/requests/").status_code == 403


@pytest.mark.parametrize("code", ["000000", "abc", "", "1" * 40, "12 34 56", "<script>"])
def test_wrong_codes_are_a_clear_form_error(client, enrolled, code):
    log_in(client, "otp-coord")

    response = client.post("/accounts/two-factor/verify/", {"code": code})

    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get("/notifications/").status_code == 302


def test_a_recovery_code_finishes_signing_in(client, enrolled):
    _user, _device, codes = enrolled

    log_in(client, "otp-coord")
    response = client.post("/accounts/two-factor/verify/", {"code": codes[0]})

    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200


def test_half_signed_in_users_cannot_turn_two_factor_off(client, enrolled):
    log_in(client, "otp-coord")

    client.post("/accounts/two-factor/disable/")

    assert twofactor.has_device(enrolled[0])


def test_coordinators_must_enrol_when_two_factor_is_required(client, coordinator, settings):
    settings.TWO_FACTOR_REQUIRED = True

    log_in(client, "coord")

    assert client.get("/notifications/").url == "/accounts/two-factor/enrol/"
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn here


def test_liaisons_are_offered_but_not_forced(client, liaison_pl, settings):
    settings.TWO_FACTOR_REQUIRED = True

    log_in(client, liaison_pl.username)

    assert client.get("/portal/").status_code == 200


def test_a_wrong_enrolment_code_is_a_form_error(client, liaison_pl):
    client.force_login(liaison_pl)
    client.get("/accounts/two-factor/enrol/")

    response = client.post("/accounts/two-factor/enrol/", {"code": "123"})

    assert response.status_code == 400
    assert not twofactor.has_device(liaison_pl)


def _reset(client, email, **extra):
    return client.post("/accounts/password/reset/", {"email": email}, **extra)


@pytest.mark.parametrize("email", ["liaison-pl-test@example.org", "nobody@example.org"])
def test_password_reset_answers_the_same_whether_the_address_exists(client, liaison_pl, email):
    response = _reset(client, email, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/password/reset/sent/"
    assert "If an account uses this address" in response.content.decode()


def test_a_malformed_reset_address_is_a_form_error(client):
    response = _reset(client, "not an address")

    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_reset_email_is_in_the_users_language_and_its_link_sets_a_new_password(client, db):
    LiaisonFactory(username="jean", email="jean@example.org", language="fr")
    _reset(client, "jean@example.org")
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "nouveau-mot-de-passe", "new_password2": "nouveau-mot-de-passe"}
    )

    assert "Réinitialisez" in message.subject
    assert done.status_code == 302 and done.url == "/accounts/password/reset/done/"
    assert log_in(client, "jean", "nouveau-mot-de-passe").status_code == 302


def test_password_reset_is_throttled_per_client(client):
    with mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"password_reset": "3/hour"}):
        statuses = [_reset(client, f"someone{n}@example.org").status_code for n in range(4)]

    assert statuses == [302, 302, 302, 429]

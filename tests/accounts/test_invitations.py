"""Invitations (SPEC §11): a coordinator invites, the invitee sets a password through a one-time
link valid 7 days; bad links get a clear page, never a 500, and name nobody."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import transitions
from core.roles import liaison_country, role_of
from reinforcements.models import User

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/accounts/invitation/(\S+)/")


def invite_by_api(coordinator, django_capture_on_commit_callbacks, **body):
    client = APIClient()
    client.force_authenticate(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/api/v1/invitations/", body, format="json")


def secret_of(message) -> str:
    return LINK.search(message.body).group(1)


def test_a_coordinator_invites_a_polish_liaison_by_api_and_the_email_is_in_their_language(
    coordinator, django_capture_on_commit_callbacks
):
    response = invite_by_api(
        coordinator, django_capture_on_commit_callbacks,
        email="Jan.Kowalski@policja.example", role="liaison", country="PL", language="fr",
    )  # fmt: skip

    assert response.status_code == 201, response.data
    assert response.data["status"] == "pending"
    user = User.objects.get(email="jan.kowalski@policja.example")
    assert (liaison_country(user), user.has_usable_password()) == ("PL", False)
    (message,) = mail.outbox
    assert message.to == ["jan.kowalski@policja.example"]
    assert "Choisissez votre mot de passe" in message.body


def test_staff_are_invited_with_their_role(coordinator, django_capture_on_commit_callbacks):
    invite_by_api(coordinator, django_capture_on_commit_callbacks, email="analyst@interieur.example", role="viewer")

    assert role_of(User.objects.get(email="analyst@interieur.example")) == "viewer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "role": "viewer"}, "email"),
        ({"email": "a@b.example", "role": "admin"}, "role"),
        ({"email": "a@b.example", "role": "liaison"}, "country"),
        ({"email": "a@b.example", "role": "liaison", "country": "XX"}, "country"),
        ({"email": "a@b.example", "role": "viewer", "country": "PL"}, "country"),
        ({"email": "a@b.example", "role": "viewer", "language": "pl"}, "language"),
    ],
)
def test_bad_invitations_are_400_on_their_field(coordinator, django_capture_on_commit_callbacks, body, field):
    response = invite_by_api(coordinator, django_capture_on_commit_callbacks, **body)

    assert response.status_code == 400
    assert field in response.data
    assert mail.outbox == []


def test_an_address_that_has_an_account_is_refused(coordinator, liaison_pl, django_capture_on_commit_callbacks):
    response = invite_by_api(
        coordinator, django_capture_on_commit_callbacks, email=liaison_pl.email, role="liaison", country="PL"
    )

    assert response.status_code == 400
    assert "email" in response.data


def test_viewers_and_liaisons_may_not_invite(viewer, liaison_pl):
    for user in (viewer, liaison_pl):
        client = APIClient()
        client.force_authenticate(user)

        response = client.post("/api/v1/invitations/", {"email": "x@y.example", "role": "viewer"}, format="json")

        assert response.status_code == 403


def _accept_page(client, secret, password="a-long-enough-passphrase"):
    return client.post(f"/accounts/invitation/{secret}/", {"new_password1": password, "new_password2": password})


@pytest.fixture
def invited(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = transitions.invite(
            email="anna@policja.example", role="liaison", country="PL", language="en", actor=coordinator
        )
    return invitation, secret_of(mail.outbox[-1])


def test_accepting_sets_the_password_and_lands_on_the_liaisons_home(client, invited):
    invitation, secret = invited

    response = _accept_page(client, secret)

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").url == "/portal/"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert User.objects.get(email="anna@policja.example").check_password("a-long-enough-passphrase")


def test_a_weak_password_is_refused_by_djangos_validators(client, invited):
    response = _accept_page(client, invited[1], password="password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.get(email="anna@policja.example").has_usable_password()


def test_a_used_link_is_refused(client, invited):
    _accept_page(client, invited[1])

    response = _accept_page(client, invited[1], password="another-long-passphrase")

    assert response.status_code == 404
    assert "already used" in response.content.decode()


def test_an_expired_link_is_refused(client, invited):
    later = timezone.now() + dt.timedelta(days=7, minutes=1)

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(f"/accounts/invitation/{invited[1]}/")

    assert response.status_code == 404
    assert "expired" in response.content.decode()


@pytest.mark.parametrize("secret", ["tampered", "x" * 300, "%00", "' OR 1=1 --"])
def test_a_tampered_or_unknown_link_is_refused_without_naming_anyone(client, invited, secret):
    response = client.get(f"/accounts/invitation/{secret}/")

    assert response.status_code == 404
    assert "anna" not in response.content.decode()


def test_a_link_whose_account_was_deactivated_is_refused(client, coordinator, invited):
    transitions.deactivate(invited[0].user_id, actor=coordinator)

    response = _accept_page(client, invited[1])

    assert response.status_code == 404
    assert not User.objects.get(email="anna@policja.example").has_usable_password()


def test_resending_sends_a_new_link_and_the_old_one_stops(
    client, coordinator, invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transitions.resend(invited[0].pk, actor=coordinator)
    new_secret = secret_of(mail.outbox[-1])

    assert client.get(f"/accounts/invitation/{invited[1]}/").status_code == 404
    assert client.get(f"/accounts/invitation/{new_secret}/").status_code == 200


def test_revoking_by_api_ends_the_link(coordinator, invited):
    api = APIClient()
    api.force_authenticate(coordinator)

    response = api.post(f"/api/v1/invitations/{invited[0].pk}/revoke/")
    again = api.post(f"/api/v1/invitations/{invited[0].pk}/revoke/")

    assert response.status_code == 200 and response.data["status"] == "revoked"
    assert again.status_code == 409
    assert APIClient().get(f"/accounts/invitation/{invited[1]}/").status_code == 404


def test_the_pending_list_filters_by_status(coordinator, invited):
    api = APIClient()
    api.force_authenticate(coordinator)

    pending = api.get("/api/v1/invitations/", {"status": "pending"}).data["results"]
    bad = api.get("/api/v1/invitations/", {"status": "nonsense"})

    assert [row["email"] for row in pending] == ["anna@policja.example"]
    assert bad.status_code == 400


def test_deactivating_a_user_ends_their_session_and_tokens_at_once(client, coordinator, liaison_pl):
    _row, key = AuthToken.objects.create(user=liaison_pl)
    client.force_login(liaison_pl)
    coordinator_client = APIClient()
    coordinator_client.force_login(coordinator)

    response = coordinator_client.post(f"/people/{liaison_pl.pk}/deactivate/")

    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302  # to the login page
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/v1/requests/").status_code == 401


def test_the_people_page_invites_and_lists_each_countrys_liaisons(
    client, coordinator, liaison_pl, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/", {"email": "piotr@policja.example", "role": "liaison", "country": "PL", "language": "en"}
        )
    page = client.get("/people/").content.decode()

    assert response.status_code == 302
    assert "piotr@policja.example" in page and liaison_pl.email in page
    assert len(mail.outbox) == 1


def test_the_people_page_shows_form_errors_not_a_500(client, coordinator):
    client.force_login(coordinator)

    response = client.post("/people/invite/", {"email": "nope", "role": "liaison", "country": "", "language": "en"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_liaison_does_not_find_the_people_page(client, liaison_pl):
    client.force_login(liaison_pl)

    assert client.get("/people/").status_code == 404


def test_a_coordinator_unlocks_a_locked_out_user_from_the_people_page(client, coordinator, liaison_pl, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": liaison_pl.username, "password": "wrong"})
    assert (
        client.post(
            "/accounts/login/", {"username": liaison_pl.username, "password": "correct-horse-battery"}
        ).status_code
        == 429
    )
    staff = APIClient()
    staff.force_login(coordinator)
    assert "Unlock" in staff.get("/people/").content.decode()

    staff.post(f"/people/{liaison_pl.pk}/unlock/")

    response = client.post("/accounts/login/", {"username": liaison_pl.username, "password": "correct-horse-battery"})
    assert response.status_code == 302

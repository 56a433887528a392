"""Rotating SECRET_KEY with SECRET_KEY_FALLBACKS keeps people logged in; without, it logs
everyone out (README, Security)."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
OLD, NEW = "old-key-" + "x" * 40, "new-key-" + "y" * 40


def _logged_in_client(client, settings):
    settings.SECRET_KEY = OLD
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    return client


def test_a_rotated_key_with_the_old_one_as_fallback_keeps_sessions(client, settings):
    client = _logged_in_client(client, settings)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]

    assert client.get("/admin/").status_code == 200


def test_a_rotated_key_without_fallback_ends_every_session(client, settings):
    client = _logged_in_client(client, settings)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []

    assert client.get("/admin/").status_code == 302
    assert SESSION_KEY not in client.session

"""Throttles and lockouts count real clients (SPEC §11): X-Forwarded-For is believed for exactly
TRUSTED_PROXIES hops, and the counts live in Redis, shared by every web process."""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.client import client_address

pytestmark = pytest.mark.django_db


def login_attempt(client, n, **headers):
    return client.post("/api/v1/auth/token/", {"username": f"nobody{n}", "password": "wrong"}, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the client's own header value is not believed
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (3, "203.0.113.9", "203.0.113.9"),  # a shorter chain than expected: the leftmost valid hop
    ],
)
def test_the_client_address_believes_only_trusted_hops(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_thirty_wrong_passwords_with_forged_forwarded_headers_are_still_throttled(settings):
    settings.TRUSTED_PROXIES = 0
    client = APIClient()

    statuses = [login_attempt(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(30)]

    assert statuses.count(429) >= 20
    assert statuses[-1] == 429


def test_behind_one_proxy_two_clients_are_counted_apart(settings):
    settings.TRUSTED_PROXIES = 1
    client = APIClient(REMOTE_ADDR="10.0.0.2")  # the proxy
    allowed = int(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])

    first = [login_attempt(client, n, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code for n in range(allowed + 1)]
    second = login_attempt(client, 99, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code

    assert first[-1] == 429
    assert second == 400


def test_the_lockout_counts_username_and_address_so_another_client_is_not_locked_out(settings, coordinator):
    settings.TRUSTED_PROXIES = 1
    attacker = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post("/api/v1/auth/token/", {"username": "coord", "password": "wrong"})

    real = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    response = real.post("/api/v1/auth/token/", {"username": "coord", "password": "correct-horse-battery"})

    assert response.status_code == 200


def test_one_address_trying_many_usernames_is_locked_at_the_address_limit(settings, coordinator):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "1000/min"}}
    client = APIClient()
    for n in range(8):
        login_attempt(client, n)

    response = client.post("/api/v1/auth/token/", {"username": "coord", "password": "correct-horse-battery"})

    assert response.status_code == 429


SECOND_PROCESS = textwrap.dedent(
    """
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django.setup()
    from django.conf import settings
    from django.test import RequestFactory
    from accounts.throttling import allowed
    from django.contrib.auth.models import AnonymousUser
    settings.CACHES["throttle"]["KEY_PREFIX"] = sys.argv[1]
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.50")
    request.user = AnonymousUser()
    print(sum(allowed(request, "login") for _ in range(int(sys.argv[2]))))
    """
)


def test_counts_hold_across_two_web_processes(settings):
    """Another Python process, with its own memory, spends part of the quota in the same Redis."""
    from django.core.cache import caches

    prefix = settings.CACHES["throttle"]["KEY_PREFIX"]
    allowed = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    caches["throttle"].get("warm-up")

    spent = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, prefix, str(allowed - 2)],
        cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()[-1]  # fmt: skip
    client = APIClient(REMOTE_ADDR="192.0.2.50")
    here = [login_attempt(client, n).status_code for n in range(3)]

    assert int(spent) == allowed - 2
    assert here == [400, 400, 429]

"""Production is the safe default once DEBUG is off (config/settings.py)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "reinforcements.interieur.example",
    "EMAIL_URL": "smtp://mail.interieur.example:25",
    "SITE_URL": "https://reinforcements.interieur.example",
    "TRUSTED_PROXIES": "1",
}


def _production_env(**changes):
    # A server's environment: not the test run's (the browser tests allow async-unsafe ORM calls).
    env = {**os.environ, **PRODUCTION, **changes}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, **env_changes):
    env = _production_env(**env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", SECRET_KEY=None)

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", ALLOWED_HOSTS=None)

    assert result.returncode != 0
    assert "set ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("site_url", [None, "http://reinforcements.interieur.example", "http://127.0.0.1:8000"])
def test_production_refuses_a_site_url_that_is_not_https(site_url):
    result = _manage("check", SITE_URL=site_url)

    assert result.returncode != 0
    assert "set SITE_URL to the https:// address" in result.stderr


def _setting(name: str, **env_changes) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(getattr(settings, {name!r}, None))"
    env = _production_env(DJANGO_SETTINGS_MODULE="config.settings", **env_changes)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return result.stdout.strip() or result.stderr


def test_the_forwarded_proto_header_is_believed_only_behind_a_trusted_proxy():
    assert _setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXIES=None) == "None"
    assert _setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXIES="0") == "None"
    assert _setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXIES="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_deployment_checklist_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_fails_without_a_real_mail_server():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", EMAIL_URL=None)

    assert result.returncode != 0
    assert "mail.E001" in result.stderr


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("SESSION_COOKIE_SECURE", "True"),
        ("CSRF_COOKIE_SECURE", "True"),
        ("SECURE_SSL_REDIRECT", "True"),
        ("SECURE_PROXY_SSL_HEADER", "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("SECURE_HSTS_SECONDS", "31536000"),
        ("SESSION_COOKIE_HTTPONLY", "True"),
        ("X_FRAME_OPTIONS", "DENY"),
    ],
)
def test_production_settings_turn_on(setting, expected):
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{setting})"
    env = _production_env(DJANGO_SETTINGS_MODULE="config.settings")

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.stdout.strip() == expected, result.stderr


def test_an_old_secret_key_can_be_kept_as_a_fallback_while_rotating():
    old = secrets.token_urlsafe(50)
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    env = _production_env(DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY_FALLBACKS=old)

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.stdout.strip() == str([old]), result.stderr

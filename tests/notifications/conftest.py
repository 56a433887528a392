import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; PBKDF2 at full strength costs seconds per test on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

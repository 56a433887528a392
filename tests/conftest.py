import copy
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from reinforcements.models import Specialty
from reinforcements.reference import ensure_reference_data
from tests.factories import CoordinatorFactory, LiaisonFactory, ViewerFactory


def pytest_configure(config):
    """The suite's tasks go to a private queue and key prefix, named for the test database, so a
    worker of `make run` on the same Redis never takes them (nor the suite's worker its tasks)."""
    from config.celery import app

    private = f"reinforcements.test_{settings.DATABASES['default']['NAME']}"
    settings.CELERY_INSTANCE = private
    app.conf.task_default_queue = private
    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "global_keyprefix": f"{private}:"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the tables a data migration filled: put the reference data back."""
    marker = request.node.get_closest_marker("django_db")
    if marker or "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
        request.getfixturevalue("transactional_db" if transactional else "db")
        ensure_reference_data(Specialty, Group)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow on purpose (about half a second per test user); test users guard nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    """Throttle counts live in Redis, shared by every process (accounts.throttling): each test
    counts under a key prefix of its own, so none starts with another's attempts."""
    caches = copy.deepcopy(settings.CACHES)
    caches["throttle"]["KEY_PREFIX"] = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _default_language():
    """A French page leaves French active in the thread: the next test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_figures_cache():
    """Figures are cached per process by data version (core/freshness.py); a flushed
    transactional test sends no signal, so start each test with an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory(username="coord", language="en")


@pytest.fixture
def coordinators(db):
    return [CoordinatorFactory(language="en"), CoordinatorFactory(language="fr")]


@pytest.fixture
def viewer(db):
    return ViewerFactory(username="view")


@pytest.fixture
def liaison_pl(db):
    return LiaisonFactory(username="liaison-pl-test", country="PL", language="en")


@pytest.fixture
def liaison_de(db):
    return LiaisonFactory(username="liaison-de-test", country="DE", language="en")


@pytest.fixture
def api_client():
    return APIClient()

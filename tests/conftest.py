import pytest
from rest_framework.test import APIClient

from tests.factories import CoordinatorFactory, LiaisonFactory, ViewerFactory


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

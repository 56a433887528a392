import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from config.urls import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_1_with_token_auth(document):
    assert document["openapi"].startswith("3.1")
    assert {"tokenAuth": []} in document["paths"]["/api/v1/pledges/"]["get"]["security"]


def test_every_move_is_a_documented_post_with_its_body_and_conflict_answer(document):
    for prefix, viewset, _basename in router.registry:
        for extra in viewset.get_extra_actions():
            if not extra.detail:
                continue
            operation = document["paths"][f"/api/v1/{prefix}/{{id}}/{extra.url_path}/"]["post"]
            assert "409" in operation["responses"], extra.url_path
            assert operation.get("description"), extra.url_path


def test_bodies_of_moves_that_take_one_have_examples(document):
    for path in ("/api/v1/pledges/{id}/decide/", "/api/v1/requests/{id}/decline/", "/api/v1/assignments/{id}/cancel/"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body.get("examples"), path


def test_the_docs_page_loads_its_assets_from_the_app_not_a_cdn(coordinator):
    client = APIClient()
    client.force_login(coordinator)

    html = client.get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]
    bundle = next(url for url in assets if url.endswith("swagger-ui-bundle.js"))
    assert finders.find(bundle.removeprefix("/static/"))

import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from config.urls import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(settings):
    settings.API_DOCS_PUBLIC = True
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_1_with_token_auth(document):
    assert document["openapi"].startswith("3.1")
    assert {"tokenAuth": []} in document["paths"]["/api/v1/pledges/"]["get"]["security"]


def test_every_move_is_a_documented_post_with_its_body_and_conflict_answer(document):
    for prefix, viewset, _basename in router.registry:
        for extra in viewset.get_extra_actions():
            if not extra.detail or "post" not in extra.mapping:  # a detail read (a webhook's log) is no move
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


def test_request_bodies_are_json_only_but_the_file_uploads_of_imports(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                expected = ["multipart/form-data"] if "/imports/" in path else ["application/json"]
                assert list(operation["requestBody"]["content"]) == expected, (method, path)


def test_the_coverage_answer_is_described_as_one_object(document):
    answer = document["paths"]["/api/v1/coverage/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert answer == {"$ref": "#/components/schemas/Coverage"}


def test_errors_are_described_with_their_code(document):
    assert {"detail", "code"} <= set(document["components"]["schemas"]["Detail"]["properties"])


def test_the_schema_and_docs_ask_for_sign_in_unless_api_docs_public(settings, coordinator):
    settings.API_DOCS_PUBLIC = False
    signed_in = APIClient()
    signed_in.force_authenticate(coordinator)

    anonymous = [APIClient().get(path) for path in ("/api/schema/", "/api/docs/")]

    assert [response.status_code for response in anonymous] == [401, 401]
    assert anonymous[1]["Content-Type"] == "application/json"
    assert signed_in.get("/api/schema/").status_code == 200

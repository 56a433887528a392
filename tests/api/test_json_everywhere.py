"""Every answer under /api/ is JSON (SPEC §7): a walk over every URL pattern there, with unknown
ids, odd path segments and every method, signed in and not; plus routes that do not exist and a crash."""

import json
import re

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete", "options", "trace"]
ODD_SEGMENTS = ["999999999", "0", "-1", "9" * 40, "%00", "%ff", "%2e%2e", "abc", "x" * 300, "%27%3B--", "%F0%9F%98%80"]
UNKNOWN_ROUTES = ["/api/", "/api/v1/", "/api/nope/", "/api/v1/nope/", "/api/v1/operations/%00/", "/api/v2/requests/",
                  "/api/v1/requests/1/nope/", "/api/v1/requests//", "/api/schema/extra/", "/api/v1/auth/"]  # fmt: skip


def api_templates() -> list[str]:
    """Every route under /api/ with its path parameters as `{}` (DRF's format-suffix twins left out)."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    templates = set()
    for route in walk(get_resolver().url_patterns, "/"):
        if not route.startswith("/api/") or "format" in route:
            continue
        templates.add(re.sub(r"\(\?P<\w+>[^)]*\)|<[^>]+>", "{}", route))
    return sorted(templates)


def assert_json_error_or_answer(response, where):
    assert response.status_code < 500, (where, response.status_code, response.content[:300])
    content_type = response.get("Content-Type", "")
    if response.status_code == 204:
        return
    assert content_type.startswith(("application/json", "application/vnd.oai.openapi", "text/html")), (
        where,
        content_type,
    )
    if content_type.startswith("text/html"):
        assert where[1].startswith("/api/docs/") and response.status_code < 400, where  # the docs page itself
        return
    if content_type.startswith("application/vnd.oai.openapi"):
        assert response.status_code == 200, where
        return
    body = json.loads(response.content)
    if response.status_code >= 400 and response.status_code != 400:
        assert {"detail", "code"} <= set(body), (where, body)


def test_the_walk_covers_every_resource():
    templates = api_templates()

    assert "/api/v1/requests/{}/" in templates
    assert "/api/v1/pledges/{}/submit/" in templates
    assert "/api/v1/coverage/" in templates
    assert "/api/schema/" in templates


def test_every_api_route_answers_json_for_unknown_ids_odd_segments_and_every_method(coordinator):
    signed_in = client_as(coordinator)
    anonymous = APIClient()

    # Every method with an unknown id, GET and DELETE with the odder segments: enough to reach each
    # view's lookup, parsing and permission code without thousands of requests.
    for template in api_templates():
        for number, segment in enumerate(ODD_SEGMENTS if "{}" in template else [""]):
            path = template.replace("{}", segment)
            for method in METHODS if number == 0 else ["get", "delete"]:
                for who, client in (("coordinator", signed_in), ("anonymous", anonymous)):
                    if (path, method, who) == ("/api/schema/", "get", "coordinator"):
                        continue  # a second to generate, and served in test_schema_docs
                    response = client.generic(method.upper(), path)
                    assert_json_error_or_answer(response, (method, path, who))


@pytest.mark.parametrize("path", UNKNOWN_ROUTES)
def test_a_route_that_does_not_exist_is_a_json_404(coordinator, path):
    response = client_as(coordinator).get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_unknown_route_is_json_even_with_debug_on(settings, coordinator):
    settings.DEBUG = True

    response = client_as(coordinator).get("/api/v1/operations/%00/")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_a_crash_under_api_is_a_json_500(coordinator, monkeypatch):
    from reinforcements.api import SpecialtyViewSet

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(SpecialtyViewSet, "list", crash)
    client = client_as(coordinator)
    client.raise_request_exception = False

    response = client.get("/api/v1/specialties/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()

"""Every endpoint the router knows, for every caller who must not reach it (SPEC §2, §7).

The cases are generated from `router.registry`: a new viewset or action is tested the moment it is
registered, and fails here until `world` (tests/api/conftest.py) holds an object for it.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from config.urls import router
from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db

# Reference data is the same for every caller: nothing of a country in it.
GLOBAL = {"specialty"}
# Staff business: a liaison sees no invitation or webhook at all, not even one for their own country.
# Travel overrides, conflicts, proposals and what-if are ministry planning: a liaison finds none, not even of
# their own country.
STAFF_ONLY = {"invitation", "webhook", "venuepair", "conflict", "what_if", "proposal"}
# A viewer's own notifications are theirs to mark read; other people's are a 404 like any hidden row.
PERSONAL = {"notification"}
QUERY = {"coverage": {"operation": "matrix-op"}, "conflict": {"operation": "matrix-op"}}
# Answers about one operation (a query parameter names it), not lists of rows.
ONE_OBJECT = {"coverage", "conflict", "what_if"}
# Questions asked by POST that change nothing (SPEC §10 what if): a viewer may ask them.
QUESTIONS = {"what_if"}
# One body fits every move: reason/note for those that need one, the rest ignore it.
BODY = {"reason": "matrix", "note": "matrix"}
BODIES = {"what_if": {"operation": "matrix-op", "changes": [{"kind": "withdraw_country", "country": "PL"}]}}


@dataclass(frozen=True)
class Endpoint:
    basename: str
    prefix: str
    method: str
    url: str  # with "{key}" for detail routes
    detail: bool

    def __str__(self):
        return f"{self.method.upper()} {self.url}"

    def path(self, world) -> str:
        if not self.detail:
            return self.url
        obj = world[self.basename]
        key = obj.code if self.basename in ("operation", "specialty") else obj.pk
        return self.url.replace("{key}", str(key))


def endpoints() -> list[Endpoint]:
    found = []
    for prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            url = route.url.replace("^", "").replace("$", "")
            url = url.format(prefix=prefix, lookup="{key}", trailing_slash="/").replace("{{key}}", "{key}")
            for method, action in route.mapping.items():
                if hasattr(viewset, action) and method in viewset.http_method_names:
                    found.append(Endpoint(basename, prefix, method, f"/api/v1/{url}", route.detail))
    return found


ENDPOINTS = endpoints()
WRITES = [e for e in ENDPOINTS if e.method != "get" and e.basename not in PERSONAL | QUESTIONS]
HIDDEN = [e for e in ENDPOINTS if (e.detail or e.basename in ONE_OBJECT) and e.basename not in GLOBAL]
LISTS = [e for e in ENDPOINTS if e.method == "get" and not e.detail and e.basename not in GLOBAL | ONE_OBJECT]


def call(client, endpoint, world):
    send = getattr(client, endpoint.method)
    if endpoint.method == "get":
        return send(endpoint.path(world), QUERY.get(endpoint.basename, {}))
    return send(endpoint.path(world), BODIES.get(endpoint.basename, BODY), format="json")


def test_the_matrix_covers_every_registered_viewset_and_move():
    basenames = {basename for _prefix, _viewset, basename in router.registry}

    assert {e.basename for e in ENDPOINTS} == basenames
    assert "POST /api/v1/pledges/{key}/request-changes/" in {str(e) for e in ENDPOINTS}
    assert len(ENDPOINTS) > 40


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_an_anonymous_caller_gets_401_everywhere(endpoint, world):
    response = call(APIClient(), endpoint, world)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("endpoint", HIDDEN, ids=str)
def test_a_liaison_of_another_country_gets_404_for_what_is_not_theirs(endpoint, world, liaison_de):
    response = call(client_as(liaison_de), endpoint, world)

    assert response.status_code == 404, response.data


@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_a_liaison_of_another_country_does_not_find_it_in_lists(endpoint, world, liaison_de):
    response = call(client_as(liaison_de), endpoint, world)

    assert response.status_code == 200
    assert world[endpoint.basename].pk not in {row.get("id") for row in response.data["results"]}


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_a_viewer_gets_403_for_any_change(endpoint, world, viewer):
    response = call(client_as(viewer), endpoint, world)

    assert response.status_code == 403, response.data


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.method == "get" and not (e.basename in PERSONAL and e.detail)], ids=str
)
def test_a_viewer_reads_everything(endpoint, world, viewer):
    response = call(client_as(viewer), endpoint, world)

    assert response.status_code == 200, response.data


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.basename in QUESTIONS], ids=str)
def test_a_viewer_may_ask_a_question(endpoint, world, viewer):
    response = call(client_as(viewer), endpoint, world)

    assert response.status_code == 200, response.data


@pytest.mark.parametrize("endpoint", [e for e in HIDDEN if e.method == "get" and e.basename not in STAFF_ONLY], ids=str)
def test_the_liaison_of_the_country_reads_their_own(endpoint, world, liaison_pl):
    response = call(client_as(liaison_pl), endpoint, world)

    assert response.status_code == 200, response.data

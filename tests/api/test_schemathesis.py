"""Property-based run of the app's own OpenAPI schema (schemathesis 4) for a coordinator, a liaison and a viewer.

Checks kept: no 5xx; every status code, content type and body conforms to the schema.
Checks left out, and why:
- `negative_data_rejection`: DRF accepts some inputs a strict reading of the schema calls invalid
  (an integer where a string is declared is coerced to "48"); that is lenient parsing, not a bug.
- `positive_data_acceptance`: schema-valid bodies still meet the domain's 400/404/409 answers
  (a random `request` id that does not exist, a move from the wrong state), which is the contract.
- stateful and `use_after_free`/`ensure_resource_availability`: the run is bounded to stay near two
  minutes; links between operations are covered by tests/api/test_whole_cycle.py instead.
- the coverage phase (boundary and negative values) runs for the coordinator only, for time; a
  one-off run of it for the liaison too, and of 40 random examples per operation, found nothing more.
"""

import collections
import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def load_schema():
    """The schema the app serves at /api/schema/, generated in-process (collection has no database)."""
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


schema = load_schema()
# Bounded to stay near two minutes: the coordinator run adds schemathesis' coverage phase (every
# boundary and negative value of every parameter, through hypothesis' explicit phase), the liaison
# run is random generation only. A few examples per operation, ~50 operations.
# `make fuzz` sets SCHEMATHESIS_EXAMPLES=25 and SCHEMATHESIS_MIN_REQUESTS=1000, which the module then
# holds every role to (issue 8: at least 1,000 generated requests per role, no 5xx).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
MIN_REQUESTS = int(os.environ.get("SCHEMATHESIS_MIN_REQUESTS", "0"))
WITH_COVERAGE = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
GENERATED = settings(WITH_COVERAGE, phases=[Phase.generate])
REQUESTS = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _count_requests_per_role():
    yield
    print(f"\nschemathesis requests per role: {dict(REQUESTS)}")
    if MIN_REQUESTS:
        assert {role: n for role, n in REQUESTS.items() if n < MIN_REQUESTS} == {}, dict(REQUESTS)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Like Django's test client: the request signals must not close the test's connection (and transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(case, user, role):
    # A fresh token per call: the revoke endpoint is part of the run and may have revoked the last one
    _row, token = AuthToken.objects.create(user=user)
    REQUESTS[role] += 1
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@schema.parametrize()
@WITH_COVERAGE
def test_the_api_keeps_its_schema_for_a_coordinator(case, world, coordinator):
    call(case, coordinator, "coordinator")


@schema.parametrize()
@GENERATED
def test_the_api_keeps_its_schema_for_a_liaison(case, world, liaison_pl):
    call(case, liaison_pl, "liaison")


@schema.parametrize()
@GENERATED
def test_the_api_keeps_its_schema_for_a_viewer(case, world, viewer):
    call(case, viewer, "viewer")

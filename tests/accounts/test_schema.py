"""The OpenAPI schema describes the account endpoints (SPEC §11)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_describes_invitations_and_tokens(schema):
    paths = schema["paths"]

    assert {"post", "get"} <= set(paths["/api/v1/invitations/"])
    assert "post" in paths["/api/v1/invitations/{id}/resend/"]
    assert "post" in paths["/api/v1/invitations/{id}/revoke/"]
    assert "get" in paths["/api/v1/auth/tokens/"]
    assert "delete" in paths["/api/v1/auth/tokens/{id}/"]


def test_the_token_answer_carries_its_expiry_and_the_request_its_optional_code(schema):
    components = schema["components"]["schemas"]

    assert set(components["Token"]["properties"]) == {"token", "expiry"}
    assert "otp" in components["TokenRequestRequest"]["properties"]
    assert "otp" not in components["TokenRequestRequest"].get("required", [])

"""The CSP header every response carries (config/settings.py SECURE_CSP); tests/browser/test_csp.py
proves the pages keep to it."""

import pytest


def _policy(response) -> dict[str, list[str]]:
    directives = (d.strip().split() for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.django_db
def test_the_policy_allows_scripts_and_styles_from_our_own_origin_only(client):
    policy = _policy(client.get("/admin/login/"))

    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert [v for v in policy[directive] if not v.startswith("'nonce-")] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


@pytest.mark.django_db
def test_no_other_site_may_frame_a_page(client):
    response = client.get("/admin/login/")

    assert _policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_nonce_is_fresh_for_every_response(client):
    first = _policy(client.get("/admin/login/"))["script-src"]
    second = _policy(client.get("/admin/login/"))["script-src"]

    assert first != second

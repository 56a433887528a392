"""No page breaks the Content-Security-Policy (config/settings.py SECURE_CSP).

Chromium reports every blocked inline script or style, `style=` attribute, eval and
outside resource as a `securitypolicyviolation` event and a console message; either fails
the page. Add each new page to PAGES.
"""

import pytest

from tests.browser.conftest import log_in
from tests.factories import (
    CoordinatorFactory,
    LiaisonFactory,
    RequestLineFactory,
    UserFactory,
    VenueFactory,
    VenueNeedFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# (path, who is logged in: None | "superuser" | "coordinator" | "liaison", text the page shows once rendered)
PAGES = [
    ("/admin/login/", None, "Log in"),
    ("/admin/", "superuser", "Site administration"),
    ("/admin/reinforcements/operation/add/", "superuser", "Add operation"),
    ("/admin/reinforcements/user/", "superuser", "Select user to change"),
    ("/api/docs/", "superuser", "Reinforcements API"),
    ("/accounts/login/", None, "Reinforcements"),
    ("/ops/paris-2024/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/requests/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/pledges/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/venues/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/planner/?venue=seine-1&day=2024-07-26", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/coverage/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/board/", "coordinator", "Paris 2024"),
    ("/ops/paris-2024/assignments/", "coordinator", "Paris 2024"),
    ("/notifications/", "coordinator", "Reinforcements"),
    ("/portal/", "liaison", "Reinforcements"),
    ("/portal/deployments/", "liaison", "Reinforcements"),
    ("/portal/requests/{request}/", "liaison", "Reinforcements"),
    ("/portal/requests/{request}/pledge/", "liaison", "Reinforcements"),
    ("/requests/{request}/", "coordinator", "Reinforcements"),
]


@pytest.fixture
def operation_data():
    line = RequestLineFactory(request__country="PL")
    venue = VenueFactory(operation=line.request.operation, code="seine-1", kind="river_segment")
    VenueNeedFactory(venue=venue)
    return {"request": line.request.pk}


RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def _log_in_through_the_form(page, user):
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


@pytest.mark.parametrize(("path", "who", "shows"), PAGES)
def test_the_page_renders_without_any_content_security_policy_violation(page, operation_data, path, who, shows):
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.context.add_init_script(RECORD_VIOLATIONS)
    if who == "superuser":
        _log_in_through_the_form(page, UserFactory(is_staff=True, is_superuser=True))
    elif who == "coordinator":
        log_in(page, CoordinatorFactory())
    elif who == "liaison":
        log_in(page, LiaisonFactory(country="PL"))

    response = page.goto(path.format(**operation_data))
    page.get_by_text(shows).first.wait_for()
    page.wait_for_load_state("networkidle")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("window.__cspViolations") == []
    assert console == []

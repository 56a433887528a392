"""Confirming the contingent's deployments, and the portal in French."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import AssignmentFactory, LiaisonFactory, RequestFactory, accepted_line, at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_liaison_confirms_two_assignments_at_once(page):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    line = accepted_line(officers=10, pledge__request__country="PL")
    first = AssignmentFactory(pledge_line=line, role="Pont d'Iéna")
    second = AssignmentFactory(pledge_line=line, role="Stade de France", starts_at=at(27, 8), ends_at=at(27, 16))
    log_in(page, liaison)

    page.goto("/portal/")
    page.get_by_role("link", name="Confirm 2 assignments").click()
    page.locator(f"#assignment-{first.pk} input[type=checkbox]").check()
    page.locator(f"#assignment-{second.pk} input[type=checkbox]").check()
    page.get_by_role("button", name="Confirm the selected assignments").click()

    expect(page.get_by_text("2 assignments confirmed.")).to_be_visible()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("confirmed", "confirmed")


def test_a_german_liaison_switches_the_portal_to_french(page):
    liaison = LiaisonFactory(username="liaison-de", country="DE", language="en")
    RequestFactory(country="DE", status="sent")
    log_in(page, liaison)

    page.goto("/portal/")
    page.get_by_role("button", name="Français").click()

    expect(page.get_by_role("heading", name="Ce qui vous attend")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="English")).to_be_visible()

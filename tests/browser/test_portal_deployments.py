"""Confirming the contingent's deployments, reporting the day from a phone, and the portal in French."""

import pytest
from playwright.sync_api import expect

from notifications.models import Notification
from tests.browser.conftest import axe_as_shown, log_in
from tests.browser.test_usability import PHONE, fits
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


def test_a_liaison_checks_in_then_completes_from_a_phone_without_leaving_the_page(page, coordinator):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    line = accepted_line(officers=10, pledge__request__country="PL")
    shift = AssignmentFactory(pledge_line=line, role="Pont d'Iéna", status="confirmed")
    # Left as it is: the axe walk meets its Check in and No-show in English and French.
    AssignmentFactory(pledge_line=line, role="Stade de France", starts_at=at(27, 8), ends_at=at(27, 16))
    page.set_viewport_size(PHONE)
    log_in(page, liaison)
    page.goto("/portal/deployments/")
    page.evaluate("window.sameVisit = true")  # gone if the page were loaded again
    row = page.locator(f"#assignment-{shift.pk}")
    sizes = row.locator("button, summary").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")

    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("status")).to_have_text("Checked in: the assignment is under way.")
    expect(row.get_by_role("status")).to_be_focused()
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Complete").click()
    expect(row.get_by_role("status")).to_have_text("Assignment completed.")

    expect(row).to_contain_text("Completed")
    expect(row.get_by_role("button")).to_have_count(0)
    assert page.evaluate("window.sameVisit") is True
    assert sizes and min(sizes) >= 44
    assert fits(page)
    assert axe_as_shown(page) == []
    shift.refresh_from_db()
    assert shift.status == "completed"
    assert [h.history_user for h in shift.history.all()[:2]] == [liaison, liaison]
    told = set(Notification.objects.filter(recipient=coordinator, channel="in_app").values_list("event", flat=True))
    assert told == {"assignment_started", "assignment_completed"}

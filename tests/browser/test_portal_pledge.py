"""A Polish liaison answers a request with a pledge of officers and K9 teams (issue 7)."""

import re

import pytest
from playwright.sync_api import expect

from pledges.models import Pledge
from pledges.transitions import request_changes
from tests.browser.conftest import log_in
from tests.factories import CoordinatorFactory, LiaisonFactory, PledgeLineFactory, RequestFactory, RequestLineFactory
from tests.factories import specialty as specialty_named

pytestmark = pytest.mark.django_db(transaction=True)


def fill_row(page, prefix, index, values):
    for name, value in values.items():
        field = page.locator(f"[name={prefix}-{index}-{name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def line(code, officers):
    return {
        "specialty": str(specialty_named(code).pk), "officers_offered": officers, "available_from": "2024-07-15",
        "available_to": "2024-08-15", "languages": "pl,en",
    }  # fmt: skip


def team(handler, dog):
    return {
        "handler_name": handler, "dog_name": dog, "dog_breed": "Malinois", "detection": "explosives",
        "certification_expires_on": "2025-06-30", "available_from": "2024-07-15", "available_to": "2024-08-15",
    }  # fmt: skip


def test_a_liaison_acknowledges_a_request_and_submits_a_pledge_after_fixing_a_field(page):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    CoordinatorFactory()
    request = RequestFactory(country="PL", status="sent", message="Please send public order units.")
    RequestLineFactory(request=request, quantity=40)
    log_in(page, liaison)

    page.goto("/portal/")
    page.get_by_role("link", name=re.compile("Answer the request")).click()
    page.get_by_role("button", name="Acknowledge receipt").click()
    expect(page.get_by_text("You acknowledged the request.")).to_be_visible()
    page.get_by_role("link", name="Make a pledge").click()
    page.fill("#id_commander_name", "Insp. Anna Nowak")
    page.fill("#id_commander_contact", "+48 22 000 00 00")
    for index, values in enumerate([line("public_order", "-2"), line("river", "6")]):
        page.get_by_role("button", name="Add an officer line").click()
        expect(page.locator(f"[name=lines-{index}-officers_offered]")).to_be_visible()
        fill_row(page, "lines", index, values)
    for index, values in enumerate([team("Jan Kowalski", "Rex"), team("Ewa Nowak", "Luna")]):
        page.get_by_role("button", name="Add a K9 team").click()
        expect(page.locator(f"[name=k9-{index}-dog_name]")).to_be_visible()
        fill_row(page, "k9", index, values)
    page.get_by_role("button", name="Save and submit to the ministry").click()

    expect(page.locator("#id_lines-0-officers_offered-error")).to_have_text("Offer at least one officer.")
    page.fill("[name=lines-0-officers_offered]", "20")
    page.get_by_role("button", name="Save and submit to the ministry").click()
    expect(page.get_by_text("Your pledge was submitted to the ministry.")).to_be_visible()
    pledge = Pledge.objects.get()
    assert pledge.status == "submitted"
    assert sorted(pledge.lines.values_list("officers_offered", flat=True)) == [6, 20]
    assert sorted(pledge.k9_teams.values_list("dog_name", flat=True)) == ["Luna", "Rex"]


def test_a_liaison_edits_and_resubmits_after_the_ministry_asks_for_changes(page):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    coordinator = CoordinatorFactory()
    pledge = PledgeLineFactory(pledge__request__country="PL", pledge__status="submitted", officers_offered=10).pledge
    request_changes(pledge.pk, actor=coordinator, note="Please add a second line for the river.")
    log_in(page, liaison)

    page.goto(f"/portal/pledges/{pledge.pk}/")
    expect(page.get_by_text("Please add a second line for the river.")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_text("Please add a second line for the river.")).to_be_visible()
    page.get_by_role("button", name="Add an officer line").click()
    fill_row(page, "lines", 1, line("river", "4"))
    page.get_by_role("button", name="Save and submit to the ministry").click()

    expect(page.locator(".status")).to_have_text(re.compile("Submitted"))
    pledge.refresh_from_db()
    assert pledge.status == "submitted"
    assert pledge.lines.count() == 2

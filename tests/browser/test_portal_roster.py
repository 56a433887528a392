"""Roster import in the browser: one bad row imports nothing and is named; a good file lands."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import LiaisonFactory, PledgeFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "specialty,officers_offered,available_from,available_to,languages\n"


def choose_file(page, content: str):
    page.set_input_files("#id_file", files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": content.encode()}])


def test_a_roster_with_a_bad_row_imports_nothing_and_a_corrected_one_imports(page):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    pledge = PledgeFactory(request__country="PL")
    log_in(page, liaison)
    page.goto(f"/portal/pledges/{pledge.pk}/")
    page.get_by_role("link", name="Import a roster").click()

    choose_file(page, HEADER + "public_order,20,2024-07-15,2024-08-15,pl\nriver,-3,2024-07-15,2024-08-15,pl\n")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".problems")).to_have_text("Row 3: officers_offered: Offer at least one officer.")
    assert not pledge.lines.exists()

    choose_file(page, HEADER + "public_order,20,2024-07-15,2024-08-15,pl\nriver,3,2024-07-15,2024-08-15,pl\n")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("2 rows imported.")).to_be_visible()
    assert pledge.lines.count() == 2

"""Copying a venue's day to the next days from the planner, in Chromium (SPEC §10); its report goes through
axe-core in English and French (the axe walk cannot GET the answer to a POST again)."""

import pytest

from deployments.models import Assignment
from tests.browser.conftest import axe_as_shown, log_in
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_copies_a_stadium_day_and_sees_what_was_placed_and_what_was_refused(page, coordinator):
    operation = OperationFactory()
    germany = accepted_line(officers=40, pledge__request__operation=operation, pledge__request__country="DE")
    dog = accepted_team(pledge__request__operation=operation, pledge__request__country="NL",
                        handler_name="Brig. de Vries", dog_name="Max")  # fmt: skip
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France")
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine")
    AssignmentFactory(pledge_line=germany, venue=stadium, quantity=16, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=dog, venue=stadium, starts_at=at(26, 14),
                      ends_at=at(26, 23))  # fmt: skip
    AssignmentFactory(pledge_line=germany, venue=seine, quantity=30, starts_at=at(28, 10), ends_at=at(28, 12))
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/planner/?venue=stade-de-france&day=2024-07-26")
    page.fill("#id_copy-from_date", "2024-07-27")
    page.fill("#id_copy-to_date", "2024-07-29")
    page.locator("#copy-form").get_by_role("button", name="Preview").click()

    assert "What would be placed" in page.locator("#bulk-report h2").inner_text()
    assert page.locator("#bulk-placed tbody tr").count() == 5
    assert Assignment.objects.filter(venue=stadium).count() == 2

    page.click("text=Copy the day")  # the form kept the days

    report = page.locator("#bulk-report")
    assert "5 assignments planned" in report.inner_text()
    assert page.locator("#bulk-placed tbody tr").count() == 5
    refused = page.locator("#bulk-refused tbody tr")
    assert refused.count() == 1
    assert "capacity_exceeded" in refused.inner_text()
    assert "Only 10 of the 40 accepted officers" in refused.inner_text()
    assert Assignment.objects.filter(venue=stadium).count() == 2 + 5
    assert axe_as_shown(page) == []


def test_the_bulk_reports_pass_axe_in_english_and_in_french(page, coordinator):
    operation = OperationFactory()
    germany = accepted_line(officers=40, pledge__request__operation=operation, pledge__request__country="DE")
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France")
    AssignmentFactory(pledge_line=germany, venue=stadium, quantity=16, starts_at=at(26, 8), ends_at=at(26, 20))
    log_in(page, coordinator)

    problems = []
    for language in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
        for form in ("#copy-form", "#bulk-form"):
            page.goto("/ops/paris-2024/planner/?venue=stade-de-france&day=2024-07-26")
            if form == "#copy-form":
                page.fill("#id_copy-from_date", "2024-07-27")
                page.fill("#id_copy-to_date", "2024-07-28")
            else:
                page.select_option("#id_bulk-source", f"line:{germany.pk}")
                page.fill("#id_bulk-from_date", "2024-07-27")
                page.fill("#id_bulk-to_date", "2024-07-28")
                page.fill("#id_bulk-from_time", "08:00")
                page.fill("#id_bulk-to_time", "12:00")
                page.fill("#id_bulk-quantity", "50")
            page.locator(f"{form} button[name=preview]").click()
            page.locator("#bulk-report").wait_for()
            problems += axe_as_shown(page)

    assert problems == []

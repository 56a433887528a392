"""Asking "what if Germany withdraws?" from the staff menu, in Chromium (SPEC §10)."""

import pytest

from deployments.models import Assignment
from tests.browser.conftest import log_in
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, VenueNeedFactory, accepted_line, at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_asks_what_if_germany_withdraws_and_sees_the_stadium_fall_short(page, coordinator):
    operation = OperationFactory()
    germany = accepted_line(officers=40, pledge__request__operation=operation, pledge__request__country="DE")
    poland = accepted_line(officers=40, pledge__request__operation=operation, pledge__request__country="PL")
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France")
    VenueNeedFactory(venue=stadium, quantity=20, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=germany, venue=stadium, quantity=16, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=poland, venue=stadium, quantity=4, starts_at=at(26, 8), ends_at=at(26, 20))
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="What if").click()
    page.select_option("#id_country", "DE")
    page.fill("#id_starts", "2024-07-26T14:00")
    page.get_by_role("button", name="Show what falls short").click()

    row = page.locator("#what-if-answer tr.need")
    assert row.count() == 1
    assert "Stade de France" in row.inner_text() and "Falls short" in row.inner_text()
    assert "96.0 officer-hours lost" in page.locator("#what-if-summary").inner_text()
    assert Assignment.objects.filter(ends_at=at(26, 20)).count() == 2

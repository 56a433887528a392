"""Issue 14's journey in Chromium: ten days of Germany's public-order line at Stade de France, one day
refused for duty, the same in mode `fit`, then the conflicts page (SPEC §10)."""

import pytest

from deployments.models import Assignment
from tests.browser.conftest import log_in
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_places_ten_days_sees_one_refused_switches_to_fit_and_opens_the_conflicts(page, coordinator):
    operation = OperationFactory()
    operation.rules = {"modes": {"rest_too_short": "warn"}}
    operation.save()
    germany = accepted_line(officers=40, pledge__request__operation=operation, pledge__request__country="DE")
    dog = accepted_team(pledge=germany.pledge, handler_name="PK Weber", dog_name="Arko")
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France")
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine, Pont d'Iéna")
    # 20 officers 06:00-20:00 at the Seine on 30 July: with 20 more 08:00-20:00 that day, 520 officer-hours
    # of the line in 24 h, over 40 × 12.
    AssignmentFactory(pledge_line=germany, venue=seine, quantity=20, starts_at=at(30, 6), ends_at=at(30, 20))
    # Placed while rest only warned: the dog team back on duty 4 hours after a night shift.
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(27, 0), ends_at=at(27, 6))
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(27, 10), ends_at=at(27, 16)
    )
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/planner/?venue=stade-de-france&day=2024-07-26")
    form = page.locator("#bulk-form")
    form.locator("#id_bulk-source").select_option(f"line:{germany.pk}")
    form.locator("#id_bulk-quantity").fill("20")
    form.locator("#id_bulk-role").fill("Perimeter")
    form.locator("#id_bulk-from_time").fill("08:00")
    form.locator("#id_bulk-to_time").fill("20:00")
    form.locator("#id_bulk-from_date").fill("2024-07-26")
    form.locator("#id_bulk-to_date").fill("2024-08-04")
    form.get_by_role("button", name="Place on these days").click()

    report = page.locator("#bulk-report")
    assert "Nothing was placed" in report.inner_text()
    refused = page.locator("#bulk-refused tbody tr")
    assert refused.count() == 1
    assert "duty_exceeded" in refused.inner_text() and "520 officer-hours" in refused.inner_text()
    assert Assignment.objects.filter(venue=stadium).count() == 0

    page.locator("#bulk-form").get_by_label("place the other days").check()  # the form kept the rest
    page.locator("#bulk-form").get_by_role("button", name="Place on these days").click()

    assert "9 assignments planned" in page.locator("#bulk-report").inner_text()
    assert page.locator("#bulk-placed tbody tr").count() == 9
    assert page.locator("#bulk-refused tbody tr").count() == 1
    assert Assignment.objects.filter(venue=stadium, quantity=20).count() == 9

    page.click("nav.sections >> text=Conflicts")

    assert page.locator("#conflict-count").inner_text() == "1 conflict"
    row = page.locator("tr.conflict")
    assert "PK Weber & Arko" in row.inner_text() and "rests only 4h00" in row.inner_text()

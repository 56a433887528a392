"""Issue 15's journey in Chromium with the real Celery worker (SPEC §10): the coordinator asks for the 26th's
proposal, watches it run and become ready, unticks one country, applies the rest, sees the stadium's gaps
close on the planner, then asks "what if Germany withdraws?" — and how to recover."""

import pytest
from playwright.sync_api import expect

from deployments.models import Assignment, Proposal
from tests.browser.conftest import log_in
from tests.factories import OperationFactory, VenueFactory, VenueNeedFactory, accepted_line, at
from tests.notifications.conftest import empty_queue, running_worker  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery, pytest.mark.usefixtures("empty_queue")]


def test_a_coordinator_asks_for_a_proposal_applies_part_of_it_and_asks_what_if_germany_withdraws(page, coordinator):
    operation = OperationFactory()
    germany = accepted_line(officers=10, languages=["de", "en"], pledge__request__operation=operation,
                            pledge__request__country="DE")  # fmt: skip
    poland = accepted_line(officers=6, languages=["pl"], pledge__request__operation=operation,
                           pledge__request__country="PL")  # fmt: skip
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France")
    arena = VenueFactory(operation=operation, code="arena-bercy", name="Bercy Arena")
    # The stadium asks for German speakers: only Germany's line can fill it; Poland's goes to the arena.
    VenueNeedFactory(venue=stadium, quantity=10, starts_at=at(26, 8), ends_at=at(26, 20), languages=["de"])
    VenueNeedFactory(venue=arena, quantity=6, starts_at=at(26, 8), ends_at=at(26, 20))
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/planner/?venue=stade-de-france&day=2024-07-26")
    assert page.locator("#timeline td.short").count() > 0

    # Asked with the worker stopped: the task waits in the queue and the page shows it running.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Proposals").click()
    form = page.locator("#proposal-form")
    form.locator("#id_from_date").fill("2024-07-26")
    form.locator("#id_to_date").fill("2024-07-26")
    form.get_by_role("button", name="Propose").click()
    status = page.locator("#proposal-status")
    expect(status.locator("progress")).to_be_visible()
    assert "Running" in status.inner_text()

    with running_worker():
        expect(status).to_contain_text("Ready", timeout=30_000)
    assert Proposal.objects.get().status == "ready"
    expect(page.locator("#proposal-figures")).to_contain_text("Covers 192.0 of the 192.0 officer-hours missing")

    poland_box = page.locator("fieldset.proposal-country", has_text="Poland")
    poland_box.locator("input[data-country]").uncheck()
    assert poland_box.locator("input[name=assignment]:checked").count() == 0
    page.get_by_role("button", name="Apply the ticked assignments").click()

    expect(page.locator("body")).to_contain_text("The proposal was applied.")
    assert list(Assignment.objects.values_list("pledge_line", "venue", "quantity")) == [(germany.pk, stadium.pk, 10)]
    page.goto("/ops/paris-2024/planner/?venue=stade-de-france&day=2024-07-26")
    assert page.locator("#timeline td.short").count() == 0
    page.goto("/ops/paris-2024/planner/?venue=arena-bercy&day=2024-07-26")
    assert page.locator("#timeline td.short").count() > 0

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="What if").click()
    page.select_option("#id_country", "DE")
    page.get_by_label("And how to recover").check()
    page.get_by_role("button", name="Show what falls short").click()

    row = page.locator("#what-if-answer tr.need")
    assert row.count() == 1
    assert "Stade de France" in row.inner_text() and "Falls short" in row.inner_text()
    repair = page.locator("#what-if-repair")
    assert "How to recover" in repair.inner_text()
    # Poland's six are free, but the stadium asks for German speakers.
    assert "Nobody free speaks one of the languages asked." in repair.locator("#what-if-repair-uncovered").inner_text()
    assert Assignment.objects.count() == 1 and poland.assignments.count() == 0

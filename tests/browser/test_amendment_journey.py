"""Poland's liaison substitutes a dog, the coordinator accepts the change, the old dog's assignment is
cancelled and the team, now with the new dog, can be placed once ready (issue 18, SPEC §4)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deployments.models import Assignment
from deployments.transitions import create_assignment
from tests.browser.conftest import log_in
from tests.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    K9TeamFactory,
    LiaisonFactory,
    PledgeFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_liaison_substitutes_a_dog_and_the_coordinator_accepts_it(page):
    liaison = LiaisonFactory(username="liaison-pl", country="PL")
    coordinator = CoordinatorFactory()
    pledge = PledgeFactory(status="accepted", request__country="PL")
    rex = K9TeamFactory(pledge=pledge, accepted=True, handler_name="Sgt. Piotr Zieliński", dog_name="Rex")
    other = K9TeamFactory(pledge=pledge, accepted=True, dog_name="Bora")
    old = AssignmentFactory(pledge_line=None, k9_team=rex, quantity=None, starts_at=at(26, 8), ends_at=at(26, 16))
    kept = AssignmentFactory(pledge_line=None, k9_team=other, quantity=None, starts_at=at(26, 8), ends_at=at(26, 16))
    log_in(page, liaison)

    page.goto(reverse("portal:pledge_detail", args=[pledge.pk]))
    page.get_by_role("link", name="Amend", exact=True).click()
    page.fill("[name=k9-0-dog_name]", "Luna")
    page.fill("[name=k9-0-microchip]", "616093900000777")
    page.fill("[name=k9-0-certification_expires_on]", "2027-12-31")
    page.fill("#id_note", "Rex is ill: Luna replaces him.")
    page.get_by_role("button", name="Send the amendment to the ministry").click()
    expect(page.get_by_text("Your amendment was sent to the ministry")).to_be_visible()
    expect(page.get_by_text("K9 team changed").first).to_be_visible()

    log_in(page, coordinator)
    page.goto(reverse("pledge_review", args=[pledge.pk]))
    expect(page.get_by_text("dog's name: Luna")).to_be_visible()
    page.get_by_label("Accept", exact=True).check()
    page.fill("#id_decision_note", "Luna welcome.")
    page.get_by_role("button", name="Record the decision on these changes").click()
    expect(page.get_by_text("Decision on the amendment recorded")).to_be_visible()
    expect(page.get_by_text(re.compile("Accepted")).first).to_be_visible()

    old.refresh_from_db()
    kept.refresh_from_db()
    rex.refresh_from_db()
    assert (old.status, kept.status) == ("cancelled", "planned")
    assert "Team substituted by amendment" in old.status_reason
    assert (rex.dog_name, rex.accepted) == ("Luna", True)
    placed = create_assignment(
        actor=coordinator, venue=VenueFactory(operation=pledge.request.operation), k9_team=rex,
        starts_at=at(27, 8), ends_at=at(27, 16),
    )  # fmt: skip
    assert placed.status == "planned" and rex.ready_from <= dt.date(2024, 7, 27)
    assert Assignment.objects.filter(k9_team=rex, status="planned").count() == 1

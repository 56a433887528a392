"""The coordinator's main journeys through the staff pages, in Chromium (issue 6)."""

import datetime as dt

import pytest

from deployments.models import Assignment
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db(transaction=True)


def paris_2024():
    """A small Paris 2024: requests to a few countries, Poland's K9 pledge, a Seine segment and a stadium."""
    operation = OperationFactory()
    for country, quantity, status in [("DE", 120, "acknowledged"), ("ES", 80, "sent"), ("IT", 60, "sent"),
                                      ("BE", 40, "closed"), ("NL", 30, "draft")]:  # fmt: skip
        request = RequestFactory(operation=operation, country=country, status=status, response_due=dt.date(2024, 3, 1))
        RequestLineFactory(request=request, quantity=quantity)
        RequestLineFactory(request=request, specialty=specialty("community_patrol"), quantity=quantity // 4)
    poland = RequestFactory(operation=operation, country="PL", authority="defence", status="acknowledged")
    RequestLineFactory(request=poland, specialty=specialty("k9_explosives"), quantity=6)
    pledge = PledgeFactory(request=poland, status="submitted", commander_name="Kpt. Jan Kowalski")
    PledgeLineFactory(pledge=pledge, specialty=specialty("bomb_disposal"), officers_offered=8)
    for handler, dog, expires in [
        ("Sgt. Nowak", "Rex", dt.date(2025, 5, 1)),
        ("Sgt. Wiśniewska", "Luna", dt.date(2024, 8, 1)),
    ]:
        K9TeamFactory(pledge=pledge, handler_name=handler, dog_name=dog, certification_expires_on=expires)
    germany_line = accepted_line(officers=40, pledge__request=ReinforcementRequest.objects.get(country="DE"))
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine · Pont d'Iéna", kind="river_segment")
    stadium = VenueFactory(operation=operation, code="stade-de-france", name="Stade de France", kind="stadium")
    VenueNeedFactory(
        venue=seine, specialty=specialty("k9_explosives"), quantity=2, starts_at=at(26, 14), ends_at=at(26, 23)
    )
    VenueNeedFactory(
        venue=seine, specialty=specialty("public_order"), quantity=30, starts_at=at(26, 12), ends_at=at(26, 23)
    )
    VenueNeedFactory(
        venue=stadium, specialty=specialty("public_order"), quantity=50, starts_at=at(26, 8), ends_at=at(26, 20)
    )
    AssignmentFactory(pledge_line=germany_line, venue=seine, quantity=24, starts_at=at(26, 12), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=germany_line, venue=stadium, quantity=16, starts_at=at(26, 8), ends_at=at(26, 20))
    dog = accepted_team(
        pledge__request=RequestFactory(operation=operation, country="NL", authority="defence"),
        handler_name="Brig. de Vries", dog_name="Max",
    )  # fmt: skip
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(26, 14), ends_at=at(26, 23)
    )
    return {"operation": operation, "pledge": pledge, "seine": seine}


def test_a_coordinator_logs_in_and_sees_the_operation_dashboard(page, coordinator):
    paris_2024()

    page.goto("/")
    page.fill("#id_username", "coord")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")

    page.wait_for_url("**/ops/paris-2024/")
    assert page.locator("h1").inner_text().startswith("Paris 2024")
    assert page.locator("svg.chart").count() == 2
    assert "Germany" in page.locator("svg.chart").first.inner_html()
    page.set_viewport_size({"width": 1600, "height": 1000})
    screenshot(page, "dashboard.png")


def test_a_coordinator_creates_a_request_and_sends_it(page, coordinator):
    OperationFactory()
    log_in(page, coordinator)

    page.goto("/ops/paris-2024/requests/new/")
    page.select_option("#id_country", "PT")
    page.fill("#id_response_due", "2024-03-01")
    page.fill("#id_line_public_order", "25")
    page.click("#request-form button[type=submit]")
    page.click("text=Send to the country")

    assert "Request sent" in page.locator(".messages").inner_text()
    request = ReinforcementRequest.objects.get(country="PT")
    assert (request.status, request.lines.get().quantity) == ("sent", 25)
    assert page.locator("#moves").get_by_text("Send to the country").count() == 0


def test_a_coordinator_decides_polands_pledge_partially(page, coordinator):
    pledge = paris_2024()["pledge"]
    log_in(page, coordinator)

    page.goto(f"/pledges/{pledge.pk}/")
    assert page.locator(".flag").filter(has_text="expires before the period ends").count() == 1
    line = pledge.lines.get()
    luna = pledge.k9_teams.get(dog_name="Luna")
    page.fill(f"#id_line_{line.pk}", "5")
    page.uncheck(f"#id_team_{luna.pk}")
    page.fill("#id_decision_note", "Luna's certification lapses before the closing ceremony.")
    page.click("text=Record the decision")

    assert "Decision recorded" in page.locator(".messages").inner_text()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.PARTIALLY_ACCEPTED
    assert pledge.lines.get().officers_accepted == 5


def test_a_coordinator_plans_a_k9_team_on_a_seine_segment_and_a_refused_overlap_is_explained(page, coordinator):
    world = paris_2024()
    team = accepted_team(
        pledge__request=RequestFactory(operation=world["operation"], country="PL", authority="interior"),
        handler_name="Sgt. Zieliński", dog_name="Bruno",
    )  # fmt: skip
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26")
    page.select_option("#id_source", f"team:{team.pk}")
    page.fill("#id_starts_at", "2024-07-26T15:00")
    page.fill("#id_ends_at", "2024-07-26T23:00")
    page.fill("#id_role", "Quay sweep before the ceremony")
    page.click("text=Plan the assignment")
    assert "Assignment planned" in page.locator(".messages").inner_text()
    screenshot(page, "planner.png")

    # The same dog again, overlapping its first assignment: refused, and the page says why.
    page.select_option("#id_source", f"team:{team.pk}")
    page.fill("#id_starts_at", "2024-07-26T20:00")
    page.fill("#id_ends_at", "2024-07-26T23:30")
    page.click("text=Plan the assignment")

    error = page.locator("#assign-error").inner_text()
    assert "already assigned from 2024-07-26 15:00 CEST to 2024-07-26 23:00 CEST" in error
    assert Assignment.objects.filter(k9_team=team).count() == 1


def test_a_coordinator_opens_move_in_the_planner_and_moves_an_assignment(page, coordinator):
    world = paris_2024()
    assignment = Assignment.objects.get(venue=world["seine"], k9_team__isnull=True)
    log_in(page, coordinator)

    page.goto("/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26")
    row = page.locator(f"#a{assignment.pk}")
    row.get_by_text("Move…").first.click()  # the form is fetched when the details open
    row.locator(f"#id_a{assignment.pk}-starts_at").fill("2024-07-26T13:00")
    row.get_by_role("button", name="Move").click()

    assert "Assignment moved" in page.locator(".messages").inner_text()
    assignment.refresh_from_db()
    assert assignment.starts_at == at(26, 13)


def test_a_viewer_sees_no_action_buttons(page, viewer):
    world = paris_2024()
    log_in(page, viewer)

    for path in [
        "/ops/paris-2024/",
        f"/requests/{world['pledge'].request_id}/",
        f"/pledges/{world['pledge'].pk}/",
        "/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26",
        "/ops/paris-2024/venues/",
    ]:
        page.goto(path)
        assert page.locator("main form[method=post]").count() == 0, path
        assert page.locator("main button.primary, main button.danger, main a.button").count() == 0, path


def test_switching_to_french_shows_the_pages_in_french(page, coordinator):
    paris_2024()
    log_in(page, coordinator)

    page.goto("/ops/paris-2024/")
    page.click("button[name=language][value=fr]")

    page.wait_for_selector("html[lang=fr]")
    assert page.locator("nav.sections").inner_text().split()[:2] == ["Tableau", "de"]
    assert "Policiers demandés" in page.locator("#totals").text_content()
    assert "Allemagne" in page.locator("svg.chart").first.inner_html()
    assert "Heures de Paris" in page.locator("footer").inner_text()


def test_a_viewer_forging_a_decision_post_is_refused(page, viewer):
    pledge = paris_2024()["pledge"]
    log_in(page, viewer)
    page.goto(f"/pledges/{pledge.pk}/")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")

    response = page.request.post(
        f"/pledges/{pledge.pk}/decide/", form={"decision_note": "forged"}, headers={"X-CSRFToken": csrf}
    )

    assert response.status == 403
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED

"""What a newcomer and a liaison in the field meet (issue 20): pages of a past operation open on a day with
needs and say so, countries sort by name in both languages, portal pages fit a phone, the duty roster
prints and downloads the same rows; the operations board and this wave's staff pages (planner with its bulk
forms, conflicts, K9 teams, rules) fit a phone, the board's rows stacked and its on-the-day buttons at
least 44 px. Every page visited here also goes through the axe walk (conftest), in English and French."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reinforcements.models import ReinforcementRequest
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    LiaisonFactory,
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
PHONE = {"width": 390, "height": 844}


def seine_day(operation, extra_shifts=0):
    """The opening ceremony's quay at Iéna on 26 July 2024: needs, Polish and German officers, a Polish dog."""
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine: Pont d'Iéna and Trocadéro")
    VenueNeedFactory(venue=seine, quantity=60, starts_at=at(26, 14), ends_at=at(27, 1))
    VenueNeedFactory(
        venue=seine, specialty=specialty("k9_explosives"), quantity=2, starts_at=at(26, 14), ends_at=at(27, 1)
    )
    poland = RequestFactory(operation=operation, country="PL", status="acknowledged")
    RequestLineFactory(request=poland, quantity=60)
    germany = RequestFactory(operation=operation, country="DE")
    pl_line = accepted_line(officers=200, pledge__request=poland, pledge__commander_name="insp. Anna Nowak",
                            pledge__commander_contact="+48 22 000 02 00")  # fmt: skip
    de_line = accepted_line(officers=60, pledge__request=germany, pledge__commander_name="PHK Max Weber",
                            pledge__commander_contact="+49 30 000 03 00")  # fmt: skip
    dog = accepted_team(pledge__request=RequestFactory(operation=operation, country="PL", authority="defence"),
                        handler_name="sierż. Tomasz Kowalczyk", dog_name="Bruno", dog_breed="Belgian Malinois")  # fmt: skip
    AssignmentFactory(pledge_line=pl_line, venue=seine, quantity=30, starts_at=at(26, 14), ends_at=at(27, 1),
                      role="Embankment, opening ceremony")  # fmt: skip
    AssignmentFactory(pledge_line=de_line, venue=seine, quantity=30, starts_at=at(26, 14), ends_at=at(27, 1),
                      role="Embankment, opening ceremony", status="confirmed")  # fmt: skip
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(26, 14),
                      ends_at=at(26, 23), role="Quays sweep before the parade")  # fmt: skip
    for i in range(extra_shifts):
        AssignmentFactory(pledge_line=pl_line, venue=seine, quantity=1, starts_at=at(26, 6), ends_at=at(26, 14),
                          role=f"Morning watch, post {i + 1}")  # fmt: skip
    return seine


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "The operation is over: showing 26 July 2024"),
        ("fr", "L’opération est terminée : affichage du 26 juil. 2024"),
    ],
)
def test_coverage_and_planner_of_a_past_operation_open_on_its_first_day_with_needs(page, viewer, language, note):
    operation = OperationFactory()
    seine_day(operation)
    log_in(page, viewer)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])

    page.goto("/ops/paris-2024/coverage/")
    expect(page.locator("#clock-note")).to_have_text(note)
    expect(
        page.locator("table.coverage tbody tr")
        .filter(has_text=re.compile("Public order|Maintien de l.ordre"))
        .locator("a")
    ).to_have_text("60/60")
    page.set_viewport_size({"width": 1280, "height": 800})
    if language == "en":
        screenshot(page, "coverage.png")

    page.goto("/ops/paris-2024/planner/")
    expect(page.locator("#clock-note")).to_have_text(note)
    expect(page.locator("input[name=day]")).to_have_value("2024-07-26")


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Argentina", "Australia", "Austria", "Germany", "Spain", "United Arab Emirates"]),
        ("fr", ["Allemagne", "Argentine", "Australie", "Autriche", "Émirats arabes unis", "Espagne"]),
    ],
)
def test_requests_sorted_by_country_are_alphabetical_by_the_names_shown(page, viewer, language, names):
    operation = OperationFactory()
    for code in ["AE", "AR", "AT", "AU", "DE", "ES"]:
        RequestFactory(operation=operation, country=code)
    log_in(page, viewer)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])

    page.goto("/ops/paris-2024/requests/?sort=-country")
    page.locator("#results thead th a").first.click()  # the Country header: A→Z again

    expect(page).to_have_url(re.compile(r"sort=country"))
    shown = page.locator("#results tbody tr td:first-child a").all_inner_texts()
    assert shown == names


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_portal_page_and_the_planners_day_fit_a_phone(page, viewer, settings):
    settings.DEMO_NOW = "2024-07-20T09:00:00+02:00"  # Tosca's border papers still wait on the home page
    operation = OperationFactory()
    seine = seine_day(operation)
    liaison = LiaisonFactory(username="liaison-pl", country="PL", language="en")
    request = ReinforcementRequest.objects.get(operation=operation, country="PL", authority="interior")
    pledge = PledgeFactory(request=request, status="draft", commander_name="insp. Anna Nowak")
    PledgeLineFactory(pledge=pledge, specialty=specialty("bomb_disposal"))
    K9TeamFactory(pledge=pledge, handler_name="kpr. Magdalena Szymańska", dog_name="Tosca", microchip="")
    assignment = seine.assignments.filter(pledge__request__country="PL").first()
    page.set_viewport_size(PHONE)
    log_in(page, liaison)

    portal_pages = [
        "/portal/", f"/portal/requests/{request.pk}/", f"/portal/pledges/{pledge.pk}/",
        f"/portal/pledges/{pledge.pk}/edit/", f"/portal/pledges/{pledge.pk}/import/", f"/portal/requests/{request.pk}/pledge/",
        "/portal/deployments/", f"/portal/assignments/{assignment.pk}/", "/portal/notifications/",
        "/portal/roster/paris-2024/seine-iena/2024-07-26/", "/portal/deployments/print/",
    ]  # fmt: skip
    too_wide = []
    for url in portal_pages:
        page.goto(url)
        if not fits(page):
            too_wide.append(url)
        if url == "/portal/":
            expect(page.locator(".todo-list")).to_contain_text("Get Tosca (kpr. Magdalena Szymańska) ready")
            screenshot(page, "portal-phone.png")
    page.context.clear_cookies()
    log_in(page, viewer)
    for url in ["/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26", "/ops/paris-2024/assignments/"]:
        page.goto(url)
        if not fits(page):
            too_wide.append(url)

    assert too_wide == []


def test_the_duty_roster_prints_on_a4_and_its_xlsx_has_the_same_rows(page, coordinator):
    operation = OperationFactory()
    seine_day(operation, extra_shifts=40)
    log_in(page, coordinator)

    page.goto("/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26")
    page.get_by_role("link", name="Duty roster").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Duty roster")
    html_rows = [
        [cell.strip() for cell in row]
        for row in page.locator("table.roster tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.cells].map(c => c.innerText))"
        )
    ]
    page.set_viewport_size({"width": 1123, "height": 794})
    screenshot(page, "duty-roster.png")
    page.emulate_media(media="print")
    expect(page.locator(".tools")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    xlsx = page.request.get(page.url + "?format=xlsx")

    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)}
    assert len(html_rows) == 43 and 2 <= len(pages) <= 4
    assert boxes == {(0, 0, 842, 595)}  # A4 landscape, in points
    sheet = load_workbook(io.BytesIO(xlsx.body())).active
    assert [[("" if v is None else str(v)) for v in row] for row in list(sheet.values)[1:]] == [
        [as_exported(c) for c in row] for row in html_rows
    ]


def as_exported(cell: str) -> str:
    """A roster cell as the export helper writes it: "—" (nothing) empty, a leading + = - @ kept as text."""
    if cell == "—":
        return ""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def short_rest(seine):
    """Bruno back on the quay four hours after the parade's sweep: a rest conflict for the conflicts page."""
    dog = seine.assignments.get(k9_team__isnull=False).k9_team
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(27, 3),
                      ends_at=at(27, 7), role="Quays sweep at dawn")  # fmt: skip


STAFF_PAGES_ON_THE_MOVE = [
    "/ops/paris-2024/board/",
    "/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26",
    "/ops/paris-2024/conflicts/",
    "/ops/paris-2024/k9-teams/",
    "/ops/paris-2024/rules/",
]


def test_the_board_and_this_waves_staff_pages_fit_a_phone_with_big_on_the_day_buttons(page, coordinator, settings):
    settings.DEMO_NOW = "2024-07-26T12:00:00+02:00"
    operation = OperationFactory()
    seine = seine_day(operation)
    line = seine.assignments.filter(pledge__request__country="DE").first().pledge_line
    AssignmentFactory(pledge_line=line, venue=seine, quantity=4, starts_at=at(26, 8), ends_at=at(26, 13),
                      role="Morning patrol", status="active")  # fmt: skip
    short_rest(seine)
    log_in(page, coordinator)
    page.set_viewport_size(PHONE)

    too_wide, too_small = [], []
    for url in STAFF_PAGES_ON_THE_MOVE:
        page.goto(url)
        if not fits(page):
            too_wide.append(url)
        if "/board/" in url:
            expect(page.locator("#board")).to_have_attribute("data-stream", "polling")
            stacked = page.locator(".board-venue td").first.evaluate("td => getComputedStyle(td).display")
            screenshot(page, "board-phone.png")
        buttons = page.locator("#board-live button, #assignments td button, #assignments td summary")
        for box in buttons.evaluate_all("els => els.map(e => [e.innerText, e.getBoundingClientRect().toJSON()])"):
            if box[1]["width"] < 44 or box[1]["height"] < 44:
                too_small.append(f"{url} {box[0]!r} {box[1]['width']:.0f}×{box[1]['height']:.0f}")
    on_the_day = page.context.request.get("/ops/paris-2024/planner/?venue=seine-iena&day=2024-07-26").text()

    assert too_wide == []
    assert too_small == []
    assert stacked == "block"
    assert all(label in on_the_day for label in ("Check in", "Complete", "No-show"))


def test_the_conflicts_page_and_the_board_on_a_wall_screen(page, coordinator, settings):
    settings.DEMO_NOW = "2024-07-26T12:00:00+02:00"
    short_rest(seine_day(OperationFactory()))
    log_in(page, coordinator)
    page.set_viewport_size({"width": 1600, "height": 1000})

    page.goto("/ops/paris-2024/board/")
    expect(page.locator(".board-venue").first).to_contain_text("Seine")
    screenshot(page, "board.png")
    page.goto("/ops/paris-2024/conflicts/")
    expect(page.locator("#results tbody tr, table tbody tr").first).to_contain_text("Bruno")
    screenshot(page, "conflicts.png")

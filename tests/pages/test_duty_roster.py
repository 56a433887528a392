"""The duty roster of a venue and day: staff see everyone, a liaison only their own people (issue 20)."""

import io

import pytest
from openpyxl import load_workbook

from core.models import ExportRecord
from tests.factories import (
    AssignmentFactory,
    OperationFactory,
    RequestFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db
STAFF_URL = "/ops/paris-2024/roster/seine-iena/2024-07-26/"
PORTAL_URL = "/portal/roster/paris-2024/seine-iena/2024-07-26/"


@pytest.fixture
def seine_day(db):
    operation = OperationFactory()
    seine = VenueFactory(operation=operation, code="seine-iena", name="Seine: Pont d'Iéna")
    VenueNeedFactory(venue=seine, quantity=30, starts_at=at(26, 12), ends_at=at(26, 23))
    VenueNeedFactory(
        venue=seine, specialty=specialty("k9_explosives"), quantity=2, starts_at=at(26, 14), ends_at=at(27, 1)
    )
    poland = RequestFactory(operation=operation, country="PL")
    germany = RequestFactory(operation=operation, country="DE")
    pl_line = accepted_line(officers=30, pledge__request=poland, pledge__commander_contact="+48 22 000 00 00")
    de_line = accepted_line(officers=30, pledge__request=germany, pledge__commander_name="PHK Max Weber")
    dog = accepted_team(pledge__request=RequestFactory(operation=operation, country="PL", authority="defence"),
                        handler_name="sierż. Kowalczyk", dog_name="Bruno")  # fmt: skip
    AssignmentFactory(pledge_line=pl_line, venue=seine, quantity=20, starts_at=at(26, 12), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=de_line, venue=seine, quantity=10, starts_at=at(26, 14), ends_at=at(26, 23))
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=dog, venue=seine, starts_at=at(26, 14), ends_at=at(27, 1),
                      role="=cmd|' /C calc'!A0")  # fmt: skip
    AssignmentFactory(pledge_line=pl_line, venue=seine, quantity=5, starts_at=at(27, 12), ends_at=at(27, 20))
    return seine


def test_a_viewer_sees_every_countrys_people_on_the_venues_day_with_the_needs_they_cover(client, viewer, seine_day):
    client.force_login(viewer)

    response = client.get(STAFF_URL)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["country"] for r in rows] == ["PL", "DE", "PL"]
    assert rows[0]["covers"] == "Public order 12:00–23:00 (30)"
    assert rows[2]["who"].startswith("sierż. Kowalczyk & Bruno") and rows[2]["to"] == "27/07 01:00"
    assert "<nav" not in response.content.decode()


def test_the_xlsx_has_the_pages_rows_escaped_and_is_recorded(client, coordinator, seine_day):
    client.force_login(coordinator)

    response = client.get(STAFF_URL, {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Country" and [v[0] for v in values[1:]] == ["Poland", "Germany", "Poland"]
    assert values[3][6].startswith("'=")
    assert ExportRecord.objects.get().what == "roster-paris-2024-seine-iena-2024-07-26"


def test_a_liaison_sees_only_their_own_people(client, liaison_de, seine_day):
    client.force_login(liaison_de)

    response = client.get(PORTAL_URL.replace("seine-iena", "seine-iena"))

    assert [r["country"] for r in response.context["rows"]] == ["DE"]
    assert "Kowalczyk" not in response.content.decode()


def test_a_liaison_without_people_at_that_venue_day_gets_a_404(client, liaison_de, seine_day):
    client.force_login(liaison_de)

    assert client.get(PORTAL_URL.replace("2024-07-26", "2024-07-27")).status_code == 404
    assert client.get(PORTAL_URL.replace("2024-07-26", "2024-07-27") + "?format=xlsx").status_code == 404


def test_a_liaison_gets_a_404_on_the_staff_roster(client, liaison_pl, seine_day):
    client.force_login(liaison_pl)

    assert client.get(STAFF_URL).status_code == 404


@pytest.mark.parametrize("day", ["2024-13-01", "yesterday", "2023-07-26"])
def test_a_bad_or_outside_day_is_a_404(client, viewer, seine_day, day):
    client.force_login(viewer)

    assert client.get(STAFF_URL.replace("2024-07-26", day)).status_code == 404


def test_an_unknown_venue_is_a_404(client, viewer, seine_day):
    client.force_login(viewer)

    assert client.get(STAFF_URL.replace("seine-iena", "nowhere")).status_code == 404

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pledges.models import Amendment, PledgeLine
from portal import roster
from tests.factories import K9TeamFactory, PledgeFactory, PledgeLineFactory, specialty

pytestmark = pytest.mark.django_db

LINES_HEADER = "specialty,officers_offered,available_from,available_to,languages\n"


def upload(client, pledge, content: bytes, name="roster.csv", kind="lines", **headers):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("portal:pledge_import", args=[pledge.pk]), {"kind": kind, "file": file}, **headers)


@pytest.fixture
def draft():
    return PledgeFactory(request__country="PL")


def test_a_good_csv_adds_its_officer_lines_to_the_draft(pl_client, draft):
    PledgeLineFactory(pledge=draft, specialty=specialty("mounted"))
    csv = LINES_HEADER + "public_order,20,2024-07-15,2024-08-15,pl en\nriver,4,2024-07-20,2024-08-11,\n"

    response = upload(pl_client, draft, csv.encode())

    assert response.status_code == 302
    assert draft.lines.count() == 3
    assert draft.lines.get(specialty__code="public_order", officers_offered=20).languages == ["pl", "en"]


def test_a_good_xlsx_adds_its_k9_teams_to_the_draft(pl_client, draft):
    book = Workbook()
    book.active.append(roster.COLUMNS["k9_teams"])
    book.active.append(
        ["Jan", "Rex", "Malinois", "explosives", dt.date(2025, 6, 30), dt.date(2024, 7, 15), dt.date(2024, 8, 15)]
    )
    content = io.BytesIO()
    book.save(content)

    upload(pl_client, draft, content.getvalue(), name="dogs.xlsx", kind="k9_teams")

    assert draft.k9_teams.get().dog_name == "Rex"


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(pl_client, draft):
    csv = LINES_HEADER + (
        "public_order,20,2024-07-15,2024-08-15,pl\n"  # row 2: fine
        "k9_explosives,2,2024-07-15,2024-08-15,pl\n"  # row 3: canine specialty
        "river,-4,2024-07-15,2024-08-15,pl\n"  # row 4: negative
        "mounted,five,2024-07-15,2024-08-15,pl\n"  # row 5: not a number
        "mounted,5,2024-07-15,2024-12-24,pl\n"  # row 6: outside the request period
        "nonsense,5,2024-07-15,2024-08-15,pl\n"  # row 7: unknown specialty
    )

    response = upload(pl_client, draft, csv.encode())

    html = response.content.decode()
    assert response.status_code == 200
    assert not PledgeLine.objects.exists()
    assert "Row 2" not in html
    assert "Row 3: specialty: Choose a specialty for officers; dog teams are pledged as K9 teams." in html
    assert "Row 4: officers_offered: Offer at least one officer." in html
    assert "Row 5: officers_offered: Enter a whole number." in html
    assert "Row 6: available_to: Availability must lie within the request" in html
    assert "Row 7: specialty: unknown code" in html


def test_an_expired_certification_in_a_k9_roster_is_reported(pl_client, draft):
    csv = ",".join(roster.COLUMNS["k9_teams"]) + "\nJan,Rex,Malinois,explosives,2024-02-01,2024-07-15,2024-08-15\n"

    response = upload(pl_client, draft, csv.encode(), kind="k9_teams")

    assert "Row 2: certification_expires_on: The certification expires before" in response.content.decode()
    assert not draft.k9_teams.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("roster.csv", b"\x00\x01\x02binary"),
        ("fake.xlsx", b"PK\x03\x04junk"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused(pl_client, draft, name, content):
    response = upload(pl_client, draft, content, name=name)

    assert "This is not a CSV or XLSX file." in response.content.decode()
    assert not draft.lines.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "The file is empty."), (b"\n\n", "The file is empty."), (LINES_HEADER.encode(), "no rows")],
)
def test_an_empty_file_is_refused(pl_client, draft, content, message):
    response = upload(pl_client, draft, content)

    assert message in response.content.decode()


def test_a_huge_file_is_refused_with_the_limit_and_nothing_changes(pl_client, draft):
    content = (LINES_HEADER + "public_order,20,2024-07-15,2024-08-15,pl\n" * 60_000).encode()
    assert len(content) > roster.MAX_BYTES

    response = upload(pl_client, draft, content)

    assert "The file is too large" in response.content.decode()
    assert "The limit is 2 MB" in response.content.decode()
    assert not draft.lines.exists()


def test_a_file_without_the_expected_columns_says_which_are_missing(pl_client, draft):
    response = upload(pl_client, draft, b"name,count\nfoo,1\n")

    assert "missing: specialty, officers_offered" in response.content.decode()


def test_a_submitted_pledge_takes_no_import(pl_client):
    pledge = PledgeFactory(request__country="PL", status="submitted")

    upload(pl_client, pledge, (LINES_HEADER + "public_order,20,2024-07-15,2024-08-15,pl\n").encode())

    assert not pledge.lines.exists()


@pytest.mark.parametrize("kind", ["lines", "k9_teams"])
def test_the_downloadable_templates_import_cleanly(pl_client, draft, kind):
    csv = pl_client.get(reverse("portal:roster_template", args=[kind, "csv"]))
    xlsx = pl_client.get(reverse("portal:roster_template", args=[kind, "xlsx"]))

    upload(pl_client, draft, csv.content, name="template.csv", kind=kind)
    upload(pl_client, draft, xlsx.content, name="template.xlsx", kind=kind)

    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value == roster.COLUMNS[kind][0]
    assert getattr(draft, kind).count() == 2  # the same rows twice: one copy (matched by their natural key)


def test_an_htmx_upload_gets_the_errors_in_place_and_a_redirect_on_success(pl_client, draft):
    bad = upload(pl_client, draft, b"", HTTP_HX_REQUEST="true")
    good = upload(
        pl_client, draft, (LINES_HEADER + "public_order,20,2024-07-15,2024-08-15,pl\n").encode(), HTTP_HX_REQUEST="true"
    )

    assert bad.status_code == 200
    assert bad.content.decode().lstrip().startswith('<div id="import">')
    assert good.headers["HX-Redirect"] == reverse("portal:pledge_detail", args=[draft.pk])


# Idempotent (issue 18): rows are matched by a natural key, the handler and dog for teams, the specialty for lines.

TEAMS_HEADER = "handler_name,dog_name,dog_breed,detection,certification_expires_on,available_from,available_to\n"
TEAMS = TEAMS_HEADER + (
    "Jan Kowalski,Rex,Malinois,explosives,2027-06-30,2024-07-15,2024-08-15\n"
    "Ewa Nowak,Luna,German Shepherd,explosives,2027-03-31,2024-07-15,2024-08-15\n"
)


def test_importing_the_same_roster_twice_leaves_one_copy(pl_client, draft):
    upload(pl_client, draft, TEAMS.encode(), kind="k9_teams")
    upload(pl_client, draft, TEAMS.encode(), kind="k9_teams")

    assert sorted(draft.k9_teams.values_list("dog_name", flat=True)) == ["Luna", "Rex"]


def test_a_differing_row_of_a_draft_updates_its_line_and_keeps_what_the_file_leaves_out(pl_client, draft):
    line = PledgeLineFactory(pledge=draft, officers_offered=10, legal_status="gendarmerie")

    upload(pl_client, draft, (LINES_HEADER + "public_order,12,2024-07-15,2024-08-15,pl\n").encode())

    line.refresh_from_db()
    assert draft.lines.count() == 1
    assert (line.officers_offered, line.legal_status) == (12, "gendarmerie")


def test_a_differing_row_of_a_submitted_pledge_becomes_an_amendment(pl_client, coordinator):
    pledge = PledgeFactory(request__country="PL", status="accepted")
    rex = K9TeamFactory(pledge=pledge, handler_name="Jan Kowalski", dog_name="Rex", accepted=True,
                        certification_expires_on=dt.date(2026, 1, 31))  # fmt: skip

    response = upload(pl_client, pledge, TEAMS.encode(), kind="k9_teams")

    assert response.status_code == 302
    rex.refresh_from_db()
    assert rex.certification_expires_on == dt.date(2026, 1, 31)  # nothing applied before the ministry decides
    amendment = Amendment.objects.get(pledge=pledge)
    assert sorted(c.kind for c in amendment.changes.all()) == ["add_team", "change_team"]
    change = amendment.changes.get(kind="change_team")
    assert (change.target, change.after["certification_expires_on"]) == (rex.pk, "2027-06-30")


def test_the_same_roster_again_on_a_submitted_pledge_sends_nothing(pl_client, liaison_pl, coordinator):
    pledge = PledgeFactory(request__country="PL", status="submitted")
    K9TeamFactory(pledge=pledge, handler_name="Jan Kowalski", dog_name="Rex", dog_breed="Malinois",
                  certification_expires_on=dt.date(2027, 6, 30), available_from=dt.date(2024, 7, 15),
                  available_to=dt.date(2024, 8, 15))  # fmt: skip
    one = TEAMS_HEADER + "jan  kowalski,REX,Malinois,explosives,2027-06-30,2024-07-15,2024-08-15\n"

    response = upload(pl_client, pledge, one.encode(), kind="k9_teams", follow=True)

    assert not Amendment.objects.exists()
    assert "Nothing in this file differs from the pledge" in response.content.decode()

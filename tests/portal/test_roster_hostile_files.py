"""Roster import against hostile and careless files (issue 17): each is refused quickly, in
bounded memory, with a message the liaison can act on, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from simple_history.models import registered_models

from portal import roster
from tests.core import hostile
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

HEADER = roster.COLUMNS["k9_teams"]
TEAM = "{name},Rex,Malinois,explosives,2025-06-30,2024-07-15,2024-08-15\r\n"
POLISH = "Paweł Żuchowski-Mańko"


def upload(client, pledge, content: bytes, name: str, kind="k9_teams"):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("portal:pledge_import", args=[pledge.pk]), {"kind": kind, "file": file})


def history_rows() -> int:
    return sum(model.history.count() for model in registered_models.values() if hasattr(model, "history"))


@pytest.fixture
def draft():
    return PledgeFactory(request__country="PL")


HOSTILE = {
    "dimension bomb": (lambda: hostile.dimension_bomb(HEADER), "roster.xlsx", "more than 500 rows"),
    "far cell, no dimension": (lambda: hostile.undeclared_far_cell(HEADER), "roster.xlsx", "no rows"),
    "zip bomb": (lambda: hostile.zip_bomb(HEADER), "roster.xlsx", "unpacks to more data"),
    "oversized shared strings": (lambda: hostile.shared_strings_bomb(HEADER), "roster.xlsx", "unpacks to more data"),
    "csv named xlsx": (lambda: b"handler_name\nJan\n", "roster.xlsx", "is not an Excel workbook"),
    "truncated zip": (lambda: b"PK\x03\x04junk", "roster.xlsx", "not a CSV or XLSX file"),
    "word document": (hostile.docx_like_zip, "roster.xlsx", "not a CSV or XLSX file"),
    "old excel": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "roster.xls", "old Excel file"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_in_bounded_memory_and_writes_nothing(pl_client, draft, case):
    make, name, message = HOSTILE[case]
    content = make()
    assert len(content) < roster.MAX_BYTES
    upload(pl_client, draft, hostile.workbook_bytes([HEADER]), name)  # imports and templates loaded: not measured
    before = history_rows()

    with hostile.peak_memory() as memory, hostile.deadline(1.0):
        response = upload(pl_client, draft, content, name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert memory["peak"] < 100 * hostile.MB
    assert not draft.k9_teams.exists()
    assert history_rows() == before


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2", "utf-16"], ids=lambda encoding: encoding
)
def test_a_polish_name_reads_back_right_from_every_common_encoding(pl_client, draft, encoding):
    content = (",".join(HEADER) + "\r\n" + TEAM.format(name=POLISH)).encode(encoding)

    response = upload(pl_client, draft, content, "roster.csv")

    assert response.status_code == 302
    assert draft.k9_teams.get().handler_name == POLISH


def test_a_western_name_reads_back_right_from_windows_1252(liaison_de):
    pledge = PledgeFactory(request__country="DE")
    client = Client()
    client.force_login(liaison_de)
    name = "François Müller-Peña"
    content = (",".join(HEADER) + "\r\n" + TEAM.format(name=name)).encode("cp1252")

    response = upload(client, pledge, content, "roster.csv")

    assert response.status_code == 302
    assert pledge.k9_teams.get().handler_name == name


def test_a_polish_windows_1250_file_reads_right_even_from_a_western_country(liaison_de):
    # ł is ³ in Windows-1252: the implausible reading loses to the Central European one.
    pledge = PledgeFactory(request__country="DE")
    client = Client()
    client.force_login(liaison_de)
    content = (",".join(HEADER) + "\r\n" + TEAM.format(name=POLISH)).encode("cp1250")

    upload(client, pledge, content, "roster.csv")

    assert pledge.k9_teams.get().handler_name == POLISH


def test_a_csv_with_more_rows_than_the_limit_is_refused_while_reading(pl_client, draft):
    content = (",".join(HEADER) + "\r\n" + TEAM.format(name="Jan") * (roster.MAX_ROWS + 1)).encode()

    response = upload(pl_client, draft, content, "roster.csv")

    assert "more than 500 rows" in response.content.decode()
    assert not draft.k9_teams.exists()


def test_a_body_larger_than_the_server_cap_is_refused_before_it_is_read(pl_client, draft, settings):
    url = reverse("portal:pledge_import", args=[draft.pk])

    response = pl_client.generic("POST", url, b"", CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1))

    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_an_api_body_larger_than_the_cap_is_a_json_413(settings, coordinator):
    from tests.api.conftest import client_as

    response = client_as(coordinator).generic(
        "POST", "/api/v1/requests/", b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"

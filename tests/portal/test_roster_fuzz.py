"""Generated CSV and XLSX rosters at the import endpoint: whatever the file, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal import roster
from tests.core.hostile import workbook_bytes
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

# Cells: mostly plausible values of the roster's columns, plus anything at all.
cell = st.one_of(
    st.sampled_from(["public_order", "k9_explosives", "explosives", "Rex", "2024-07-20", "2025-06-30", "pl,en", ""]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(max_size=30),
)
header = st.one_of(
    st.sampled_from([roster.COLUMNS["lines"], roster.COLUMNS["k9_teams"]]),
    st.lists(st.text(max_size=12), max_size=8),
)
table = st.tuples(header, st.lists(st.lists(cell, max_size=9), max_size=8)).map(lambda t: [t[0], *t[1]])
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post(client, pledge, content: bytes, name: str, kind: str):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("portal:pledge_import", args=[pledge.pk]), {"kind": kind, "file": file})


@pytest.fixture
def draft():
    return PledgeFactory(request__country="PL")


def csv_bytes(rows, delimiter: str, encoding: str) -> bytes:
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows)
    return text.encode(encoding, errors="replace")


@FUZZ
@given(
    rows=table,
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "cp1252", "utf-16"]),
    kind=st.sampled_from(["lines", "k9_teams"]),
)
def test_a_generated_csv_roster_never_gets_a_server_error(pl_client, draft, rows, delimiter, encoding, kind):
    response = post(pl_client, draft, csv_bytes(rows, delimiter, encoding), "roster.csv", kind)

    assert response.status_code in (200, 302)


@FUZZ
@given(rows=table, kind=st.sampled_from(["lines", "k9_teams"]))
def test_a_generated_xlsx_roster_never_gets_a_server_error(pl_client, draft, rows, kind):
    clean = [[ILLEGAL_CHARACTERS_RE.sub("", value) for value in row] for row in rows]

    response = post(pl_client, draft, workbook_bytes(clean), "roster.xlsx", kind)

    assert response.status_code in (200, 302)


@FUZZ
@given(content=st.binary(max_size=2000), name=st.sampled_from(["roster.csv", "roster.xlsx", "roster", "r.txt"]))
def test_arbitrary_bytes_never_get_a_server_error(pl_client, draft, content, name):
    response = post(pl_client, draft, content, name, "lines")

    assert response.status_code in (200, 302)

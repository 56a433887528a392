"""Reading an uploaded CSV or XLSX safely: every import (rosters today; venues, needs and
assignments later) goes through `read_table`, which refuses a hostile or foreign file quickly,
in bounded memory, with a message the uploader can act on.

Why each bound:
- an XLSX is a zip: its directory states every member's uncompressed size, and Python's zipfile
  never inflates past that size, so checking the directory before opening refuses zip bombs and
  oversized shared strings without inflating anything;
- openpyxl's read-only mode pads every row to the `<dimension>` the sheet declares (one cell at
  A1048576 under `A1:XFD1048576` is 17 billion empty cells): rows and columns are capped here,
  while iterating, and a declared size beyond the caps is refused outright;
- a CSV has no declared encoding: UTF-8 (with or without BOM) and UTF-16 (Excel's "Unicode
  text") are recognised by their bytes; otherwise the Windows code pages of Central and Western
  Europe and ISO-8859-2 are tried, the decoding with the fewest implausible characters wins, and
  the caller's preferred encoding breaks ties.
"""

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile

from django.utils.translation import gettext as _

MAX_COLUMNS = 50
# Uncompressed bounds, read from the zip directory before anything is inflated.
MAX_ZIP_MEMBERS = 200
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 2 * 1024 * 1024
CENTRAL_EUROPE = ("cp1250", "iso-8859-2", "cp1252")
WESTERN_EUROPE = ("cp1252", "cp1250", "iso-8859-2")
# Countries whose spreadsheets default to Windows-1250 (Central European) when saved as CSV.
CP1250_COUNTRIES = frozenset({"AL", "BA", "CZ", "HR", "HU", "ME", "MK", "PL", "RO", "RS", "SI", "SK", "XK"})


class SpreadsheetError(Exception):
    """The file as a whole cannot be read: the message says why, in the user's language."""


def encodings_for(country: str) -> tuple[str, ...]:
    """The 8-bit encodings to try for a CSV from `country`, likeliest first."""
    return CENTRAL_EUROPE if (country or "").upper() in CP1250_COUNTRIES else WESTERN_EUROPE


def not_a_table() -> SpreadsheetError:
    return SpreadsheetError(_("This is not a CSV or XLSX file. Download a template below and fill it in."))


def read_table(
    content: bytes, name: str, *, max_rows: int, encodings=WESTERN_EUROPE, max_columns: int = MAX_COLUMNS
) -> list[tuple[int, list[str]]]:
    """(row number in the file, cells as stripped text) of every non-blank row, the header first.
    At most `max_rows` rows after the header; raises SpreadsheetError for anything else."""
    if not content:
        raise SpreadsheetError(_("The file is empty."))
    name = (name or "").lower()
    if content.startswith(b"PK"):
        table = _xlsx_rows(content, max_rows=max_rows, max_columns=max_columns)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload it again."))
    elif name.endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError(_("This file is named .xlsx but is not an Excel workbook. Save it again from Excel."))
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        table = _csv_rows(decode_text(content, encodings), max_rows=max_rows, max_columns=max_columns)
    else:
        raise not_a_table()
    table = [(number, row) for number, row in table if any(row)]
    if not table:
        raise SpreadsheetError(_("The file is empty."))
    return table


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(_("The file has more than %(max)s rows; split it into several files.") % {"max": max_rows})


# --- CSV ---------------------------------------------------------------------------------------


def decode_text(content: bytes, encodings=WESTERN_EUROPE) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise not_a_table() from exc
    if b"\x00" in content:
        raise not_a_table()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best, best_penalty = None, None
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        penalty = sum(1 for char in text if char >= "\x80" and _implausible(char))
        if best_penalty is None or penalty < best_penalty:
            best, best_penalty = text, penalty
    if best is None:
        raise SpreadsheetError(
            _("The CSV file's characters cannot be read. Save it as “CSV UTF-8” and upload it again.")
        )
    return best


def _implausible(char: str) -> bool:
    # Letters and spaces are what names and notes are made of; C1 controls, symbols and stray
    # superscripts are what a wrong code page turns letters into (ł read as Windows-1252 is ³).
    return unicodedata.category(char) in ("Cc", "Co", "Cn", "So", "Sm", "Sk", "Sc", "No", "Po", "Pi", "Pf")


def _csv_rows(text: str, *, max_rows: int, max_columns: int):
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows, data_rows = [], 0
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            cells = [cell.strip() for cell in row[:max_columns]]
            if any(cells):
                data_rows += 1
                if data_rows > max_rows + 1:
                    raise _too_many_rows(max_rows)
            rows.append((len(rows) + 1, cells))
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file cannot be read: %(why)s.") % {"why": exc}) from exc
    return rows


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_rows(content: bytes, *, max_rows: int, max_columns: int):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise not_a_table() from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise not_a_table()
    too_big = SpreadsheetError(
        _("The workbook unpacks to more data than a roster can hold. Save it as CSV, or remove what it does not need.")
    )
    if len(members) > MAX_ZIP_MEMBERS or sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise too_big
    for member in members:
        limit = MAX_SHARED_STRINGS_BYTES if member.filename == "xl/sharedStrings.xml" else MAX_MEMBER_BYTES
        if member.file_size > limit:
            raise too_big

    from openpyxl import load_workbook  # heavy; only imports pay for it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The declared size: a bomb declares A1:XFD1048576; a real roster is far smaller.
        declared_rows = sheet.max_row or 0
        if declared_rows > 2 * max_rows + 1:
            raise _too_many_rows(max_rows)
        rows, data_rows = [], 0
        # Explicit bounds: openpyxl then stops parsing and padding there, whatever the file says.
        for number, row in enumerate(
            sheet.iter_rows(max_row=2 * max_rows + 2, max_col=max_columns, values_only=True), start=1
        ):
            cells = [cell_text(value) for value in row]
            if any(cells):
                data_rows += 1
                if data_rows > max_rows + 1 or number > 2 * max_rows + 1:
                    raise _too_many_rows(max_rows)
            rows.append((number, cells))
        book.close()
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign workbook
        raise not_a_table() from exc
    return rows


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

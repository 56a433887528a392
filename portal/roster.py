"""Roster import: a CSV or XLSX of officer lines or K9 teams, checked row by row with the
portal's own row forms (so the models' rules give the messages), saved all-or-nothing
through `update_pledge`."""

import csv
import datetime as dt
import io
import zipfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from portal.forms import K9TeamForm, PledgeLineForm
from reinforcements.models import Specialty

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500  # a country's K9 teams or officer lines; bigger rosters go in several files

COLUMNS = {
    "lines": ["specialty", "officers_offered", "available_from", "available_to", "languages"],
    "k9_teams": [
        "handler_name",
        "dog_name",
        "dog_breed",
        "detection",
        "certification_expires_on",
        "available_from",
        "available_to",
    ],
}
EXAMPLES = {
    "lines": [
        ["public_order", "20", "2024-07-15", "2024-08-15", "pl,en"],
        ["community_patrol", "6", "2024-07-20", "2024-08-11", "pl,en,fr"],
    ],
    "k9_teams": [
        ["Jan Kowalski", "Rex", "Malinois", "explosives", "2025-06-30", "2024-07-15", "2024-08-15"],
        ["Ewa Nowak", "Luna", "German Shepherd", "explosives", "2025-03-31", "2024-07-15", "2024-08-15"],
    ],
}
FORMS = {"lines": PledgeLineForm, "k9_teams": K9TeamForm}


class RosterError(Exception):
    """The file as a whole cannot be read: the message says why."""


class RowProblem:
    def __init__(self, number: int, messages: list[str]):
        self.number, self.messages = number, messages

    def __str__(self):
        return _("Row %(n)s: %(what)s") % {"n": self.number, "what": " ".join(self.messages)}


def template_csv(kind: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[kind])
    writer.writerows(EXAMPLES[kind])
    return out.getvalue().encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(COLUMNS[kind])
    for row in EXAMPLES[kind]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(upload) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every non-blank row, the header first."""
    if upload.size > MAX_BYTES:
        raise RosterError(
            _("The file is too large (%(size)s MB). The limit is %(max)s MB: split the roster into several files.")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}
        )
    if upload.size == 0:
        raise RosterError(_("The file is empty."))
    content = upload.read()
    name = (upload.name or "").lower()
    if content.startswith(b"PK") and (name.endswith(".xlsx") or zipfile.is_zipfile(io.BytesIO(content))):
        table = _xlsx_table(content)
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        table = _csv_table(content)
    else:
        raise RosterError(_("This is not a CSV or XLSX file. Download a template below and fill it in."))
    table = [(number, row) for number, row in enumerate(table, start=1) if any(cell.strip() for cell in row)]
    if not table:
        raise RosterError(_("The file is empty."))
    return table


def _csv_table(content: bytes) -> list[list[str]]:
    if b"\x00" in content:
        raise RosterError(_("This is not a CSV or XLSX file. Download a template below and fill it in."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(_("The CSV file is not in UTF-8. Save it as “CSV UTF-8” and upload it again.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_table(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        raise RosterError(_("This is not a CSV or XLSX file. Download a template below and fill it in.")) from exc
    sheet = book.worksheets[0]
    return [[_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse(upload, kind: str, pledge) -> tuple[list[dict], list[RowProblem]]:
    """The rows ready for `update_pledge`, and every problem found; raises RosterError for the file."""
    table = read_rows(upload)
    header = [cell.strip().lower() for cell in table[0][1]]
    missing = [col for col in COLUMNS[kind] if col not in header]
    if missing:
        raise RosterError(
            _("The first row must name the columns; missing: %(cols)s. Use the template for %(kind)s.")
            % {"cols": ", ".join(missing), "kind": dict(KIND_LABELS)[kind]}
        )
    body = table[1:]
    if not body:
        raise RosterError(_("The file has column names but no rows."))
    if len(body) > MAX_ROWS:
        raise RosterError(_("The file has %(n)s rows; the limit is %(max)s.") % {"n": len(body), "max": MAX_ROWS})
    specialties = {s.code: s.pk for s in Specialty.objects.all()} if kind == "lines" else {}
    form_class = FORMS[kind]
    rows, problems = [], []
    for number, cells in body:
        data = {col: (cells[header.index(col)] if header.index(col) < len(cells) else "") for col in COLUMNS[kind]}
        messages = []
        if kind == "lines" and data["specialty"]:
            code = data["specialty"].strip().lower()
            if code not in specialties:
                messages.append(_("specialty: unknown code “%(code)s”.") % {"code": data["specialty"]})
            data["specialty"] = specialties.get(code, "")
        form = form_class(data=data, instance=form_class._meta.model(pledge=pledge))
        if not form.is_valid():
            for field, errors in form.errors.items():
                if field == "specialty" and messages:
                    continue
                label = field if field != "__all__" else _("row")
                messages.extend(f"{label}: {error}" for error in errors)
        if messages:
            problems.append(RowProblem(number, messages))
        else:
            rows.append(form.row())
    return rows, problems


KIND_LABELS = [("lines", gettext_lazy("officer lines")), ("k9_teams", gettext_lazy("K9 teams"))]

"""Roster import: a CSV or XLSX of officer lines or K9 teams, checked row by row with the
portal's own row forms (so the models' rules give the messages), saved all-or-nothing
through `update_pledge`."""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.spreadsheets import SpreadsheetError, encodings_for, read_table
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
# Read when the file has them: K9 border readiness may be recorded later (SPEC §3).
OPTIONAL_COLUMNS = {
    "lines": [],
    "k9_teams": ["microchip", "pet_passport", "rabies_vaccinated_on", "echinococcus_treated_on"],
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


def read_rows(upload, country: str = "") -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every non-blank row, the header first."""
    if upload.size > MAX_BYTES:
        raise RosterError(
            _("The file is too large (%(size)s MB). The limit is %(max)s MB: split the roster into several files.")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}
        )
    try:
        return read_table(upload.read(MAX_BYTES + 1), upload.name, max_rows=MAX_ROWS, encodings=encodings_for(country))
    except SpreadsheetError as exc:
        raise RosterError(str(exc)) from exc


def parse(upload, kind: str, pledge) -> tuple[list[dict], list[RowProblem]]:
    """The rows ready for `update_pledge`, and every problem found; raises RosterError for the file."""
    table = read_rows(upload, pledge.country)
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
    specialties = {s.code: s.pk for s in Specialty.objects.all()} if kind == "lines" else {}
    form_class = FORMS[kind]
    rows, problems = [], []
    for number, cells in body:
        columns = COLUMNS[kind] + [col for col in OPTIONAL_COLUMNS[kind] if col in header]
        data = {col: (cells[header.index(col)] if header.index(col) < len(cells) else "") for col in columns}
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
            # A column the file leaves out is no value: it must not blank what a team already records.
            rows.append({k: v for k, v in form.row().items() if k not in OPTIONAL_COLUMNS[kind] or k in columns})
    return rows, problems


KIND_LABELS = [("lines", gettext_lazy("officer lines")), ("k9_teams", gettext_lazy("K9 teams"))]


KEY_FIELDS = {"lines": ("specialty",), "k9_teams": ("handler_name", "dog_name")}


def natural_key(kind: str, values) -> tuple:
    """What names a row across imports (issue 18): a K9 team by its handler and dog, an officer line by its
    specialty. `values`: a row dict or a line or team."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    if kind == "lines":
        specialty = get("specialty")
        return (getattr(specialty, "pk", specialty),)
    return tuple(" ".join(str(get(name) or "").split()).casefold() for name in KEY_FIELDS[kind])


def match(kind: str, rows: list[dict], standing) -> tuple[list[dict], list[dict]]:
    """The file's rows split into those naming a line or team the pledge has (each given its `id`, and only
    the columns the file gives, so what it leaves out is kept) and new ones. Each existing row is matched
    once: a file with two lines of one specialty matches two such lines, in order."""
    free: dict[tuple, list] = {}
    for obj in standing:
        free.setdefault(natural_key(kind, obj), []).append(obj)
    given = COLUMNS[kind] + OPTIONAL_COLUMNS[kind]
    matched, new = [], []
    for row in rows:
        candidates = free.get(natural_key(kind, row))
        if candidates:
            # The key itself is kept as the pledge spells it: "jan kowalski" is the same handler.
            kept = {k: v for k, v in row.items() if k in given and k not in KEY_FIELDS[kind]}
            matched.append({"id": candidates.pop(0).pk, **kept})
        else:
            new.append(row)
    return matched, new

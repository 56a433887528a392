"""Imports of venues, needs and assignments from CSV/XLSX (SPEC §10): all or nothing, with the
problems of every row (row number, column, message in the uploader's language).

The file is read by core.spreadsheets (the one hostile-file-safe reader). Each row is checked with
the models' own field validation; an assignment row is placed through transitions.create_assignment,
the same rule engine as every placement, inside one transaction that any problem rolls back. A need
row may be a daily pattern (from_date … to_date, on some weekdays): one need per day.
"""

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.history import create_all_by
from core.roles import require_coordinator
from core.spreadsheets import SpreadsheetError, read_table
from deployments import bulk, transitions
from deployments.models import Venue, VenueNeed
from pledges.models import K9Team, PledgeLine
from reinforcements.models import Specialty

KINDS = ("venues", "needs", "assignments")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# A pattern row multiplies: a file of needs creates at most this many.
MAX_NEEDS = 50_000
# Beyond this many problems the report helps nobody: the file is wrong throughout.
MAX_ERRORS = 200

COLUMNS = {
    "venues": ["code", "name", "kind", "address", "latitude", "longitude"],
    "needs": [
        "venue",
        "specialty",
        "quantity",
        "from_date",
        "to_date",
        "from_time",
        "to_time",
        "weekdays",
        "languages",
        "legal_status",
        "armed",
    ],
    "assignments": ["venue", "date", "from_time", "to_time", "pledge_line", "quantity", "k9_team", "role"],
}
REQUIRED = {
    "venues": ["code", "name"],
    "needs": ["venue", "specialty", "quantity", "from_date", "from_time", "to_time"],
    "assignments": ["venue", "date", "from_time", "to_time"],
}
TRUE, FALSE = {"true", "yes", "oui", "1", "y", "o"}, {"false", "no", "non", "0", "n"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class ImportRefused(Exception):
    """Nothing was written: `detail` says why, `errors` lists every row's problems."""

    def __init__(self, detail: str, errors=(), *, code="invalid_rows"):
        super().__init__(detail)
        self.detail, self.errors, self.code = detail, list(errors), code


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int


def template_csv(kind: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS[kind])
    return out.getvalue().encode("utf-8")


def import_file(*, actor, operation, kind: str, upload) -> ImportResult:
    """Read `upload` and create what it lists in `operation`, by a coordinator; all or nothing."""
    require_coordinator(actor)
    table = _read(upload)
    header = [cell.strip().lower() for cell in table[0][1]]
    missing = [col for col in REQUIRED[kind] if col not in header]
    if missing:
        raise ImportRefused(
            _("The first row must name the columns; missing: %(cols)s. Download the template.")
            % {"cols": ", ".join(missing)},
            [RowError(table[0][0], col, _("This column is missing.")) for col in missing],
            code="missing_columns",
        )
    body = [(number, _as_dict(header, cells)) for number, cells in table[1:]]
    if not body:
        raise ImportRefused(_("The file has column names but no rows."), code="empty_file")
    importer = {"venues": _venues, "needs": _needs, "assignments": _assignments}[kind]
    try:
        with transaction.atomic():
            created = importer(actor, operation, body)
    except IntegrityError as exc:  # a racing write of the same code: the constraint holds, and says so
        raise ImportRefused(
            _("Nothing was imported: someone else wrote the same venues at the same moment. Try again."),
            code="conflict",
        ) from exc
    return ImportResult(kind=kind, rows=len(body), created=created)


def _read(upload):
    if upload.size > MAX_BYTES:
        raise ImportRefused(
            _("The file is too large. The limit is %(max)s MB: split it into several files.")
            % {"max": MAX_BYTES // 1024 // 1024},
            code="invalid_file",
        )
    try:
        return read_table(upload.read(MAX_BYTES + 1), upload.name, max_rows=MAX_ROWS)
    except SpreadsheetError as exc:
        raise ImportRefused(str(exc), code="invalid_file") from exc


def _as_dict(header, cells) -> dict:
    return {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header) if col}


def _refuse(errors):
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        rows = len({e.row for e in errors})
        raise ImportRefused(
            _("Nothing was imported: %(n)s rows have problems.") % {"n": rows} if rows > 1
            else _("Nothing was imported: one row has a problem."),
            errors[:MAX_ERRORS],
        )  # fmt: skip


class _Row:
    """One row's cells, collecting each problem instead of stopping at the first."""

    def __init__(self, number, data, errors):
        self.number, self.data, self.errors, self.ok = number, data, errors, True
        self.failed = set()

    def fail(self, column, message):
        self.ok = False
        error = RowError(self.number, column, str(message))
        if len(self.errors) <= MAX_ERRORS and error not in self.errors[-5:]:
            self.errors.append(error)
        self.failed.add(column)

    def text(self, column, required=False):
        value = self.data.get(column, "").strip()
        if required and not value:
            self.fail(column, _("This field is required."))
        return value

    def field(self, column, field, required=False):
        value = self.text(column, required)
        if not value:
            return None
        try:
            return field.clean(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.fail(column, message)
            return None

    def date(self, column, required=False):
        return self.field(column, forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"]), required)

    def time(self, column, required=False):
        return self.field(column, forms.TimeField(input_formats=["%H:%M", "%H:%M:%S", "%Hh%M"]), required)

    def integer(self, column, required=False, minimum=1):
        return self.field(column, forms.IntegerField(min_value=minimum, max_value=1_000_000), required)

    def listed(self, column):
        return [part for part in self.text(column).replace(";", ",").replace(" ", ",").split(",") if part]

    def model_errors(self, exc: ValidationError, columns: dict):
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.fail("", message)
            return
        for field, messages in exc.message_dict.items():
            for message in messages:
                self.fail(columns.get(field, field if field != "__all__" else ""), message)


def _venues(actor, operation, body) -> int:
    errors, venues, seen = [], [], {}
    existing = set(Venue.objects.filter(operation=operation).values_list("code", flat=True))
    for number, data in body:
        row = _Row(number, data, errors)
        code = row.text("code", required=True)
        row.text("name", required=True)
        venue = Venue(
            operation=operation, code=code, name=data.get("name", "").strip(),
            kind=data.get("kind", "").strip().lower() or Venue.Kind.OTHER, address=data.get("address", "").strip(),
            latitude=data.get("latitude", "").strip().replace(",", ".") or None,
            longitude=data.get("longitude", "").strip().replace(",", ".") or None,
        )  # fmt: skip
        try:
            venue.clean_fields(exclude=["operation", *row.failed])
        except ValidationError as exc:
            row.model_errors(exc, {})
        if code in existing:
            row.fail("code", _("This operation already has a venue with this code."))
        elif code in seen:
            row.fail("code", _("The same code is on row %(n)s.") % {"n": seen[code]})
        seen.setdefault(code, number)
        if row.ok:
            venues.append(venue)
    _refuse(errors)
    return len(create_all_by(venues, actor))


def _venue_map(operation):
    return {venue.code: venue for venue in Venue.objects.filter(operation=operation)}


def _needs(actor, operation, body) -> int:
    errors, needs = [], []
    venues = _venue_map(operation)
    specialties = {s.code: s for s in Specialty.objects.all()}
    for number, data in body:
        row = _Row(number, data, errors)
        venue = venues.get(row.text("venue", required=True))
        if row.text("venue") and venue is None:
            row.fail("venue", _("No venue of this operation has the code “%(code)s”.") % {"code": row.text("venue")})
        specialty = specialties.get(row.text("specialty", required=True).lower())
        if row.text("specialty") and specialty is None:
            row.fail("specialty", _("Unknown specialty code “%(code)s”.") % {"code": row.text("specialty")})
        quantity = row.integer("quantity", required=True)
        from_date, to_date = row.date("from_date", required=True), row.date("to_date")
        from_time, to_time = row.time("from_time", required=True), row.time("to_time", required=True)
        weekdays = []
        for part in row.listed("weekdays"):
            if not part.isdigit() or not 1 <= int(part) <= 7:
                row.fail("weekdays", _("Weekdays go from 1 (Monday) to 7 (Sunday)."))
                break
            weekdays.append(int(part))
        armed_text = row.text("armed").lower()
        armed = True if armed_text in TRUE else False if armed_text in FALSE else None
        if armed_text and armed is None:
            row.fail("armed", _("Write yes or no, or leave it empty."))
        if from_time is not None and from_time == to_time:
            row.fail("to_time", _("The shift must end at another time than it starts."))
        days = []
        if from_date is not None and row.ok:
            try:
                days = bulk.days_of(operation, from_date, to_date or from_date, weekdays)
            except ValidationError as exc:
                # One day (no to_date): what is said of the last day is said of the first.
                row.model_errors(exc, {} if to_date else {"to_date": "from_date"})
        template = VenueNeed(
            venue=venue, specialty=specialty, quantity=quantity or 1,
            starts_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), ends_at=dt.datetime(2000, 1, 2, tzinfo=dt.UTC),
            languages=[code.lower() for code in row.listed("languages")],
            legal_status=row.text("legal_status").lower() or None, armed=armed,
        )  # fmt: skip
        try:
            template.clean_fields(exclude=["venue", "specialty", "starts_at", "ends_at", "quantity"])
        except ValidationError as exc:
            row.model_errors(exc, {})
        if not row.ok:
            continue
        for day in days:
            starts_at, ends_at = bulk.shift_on(day, from_time, to_time, operation.timezone)
            needs.append(VenueNeed(
                venue=venue, specialty=specialty, quantity=quantity, starts_at=starts_at, ends_at=ends_at,
                languages=template.languages, legal_status=template.legal_status, armed=armed,
            ))  # fmt: skip
        if len(needs) > MAX_NEEDS:
            raise ImportRefused(
                _("The file makes more than %(n)s needs; split it into several files.") % {"n": MAX_NEEDS},
                code="too_many",
            )
    _refuse(errors)
    return len(create_all_by(needs, actor))


def _assignments(actor, operation, body) -> int:
    errors, placements = [], []
    venues = _venue_map(operation)
    rows = [(number, data, _Row(number, data, errors)) for number, data in body]
    line_ids = {row.text("pledge_line") for _n, _d, row in rows if row.text("pledge_line").isdigit()}
    team_ids = {row.text("k9_team") for _n, _d, row in rows if row.text("k9_team").isdigit()}
    lines = PledgeLine.objects.filter(pk__in=line_ids, pledge__request__operation=operation).in_bulk()
    teams = K9Team.objects.filter(pk__in=team_ids, pledge__request__operation=operation).in_bulk()
    for number, _data, row in rows:
        venue = venues.get(row.text("venue", required=True))
        if row.text("venue") and venue is None:
            row.fail("venue", _("No venue of this operation has the code “%(code)s”.") % {"code": row.text("venue")})
        day = row.date("date", required=True)
        from_time, to_time = row.time("from_time", required=True), row.time("to_time", required=True)
        if from_time is not None and from_time == to_time:
            row.fail("to_time", _("The shift must end at another time than it starts."))
        line_id, team_id = row.integer("pledge_line"), row.integer("k9_team")
        quantity = row.integer("quantity")
        source = {}
        if (line_id is None) == (team_id is None):
            if row.ok:
                row.fail("pledge_line", _("Give either a pledge line (with a quantity) or a K9 team."))
        elif line_id is not None:
            if line_id not in lines:
                row.fail("pledge_line", _("No officer line %(id)s in this operation.") % {"id": line_id})
            if quantity is None:
                row.fail("quantity", _("Assign at least one officer."))
            source = {"pledge_line": lines.get(line_id), "quantity": quantity}
        elif team_id not in teams:
            row.fail("k9_team", _("No K9 team %(id)s in this operation.") % {"id": team_id})
        else:
            source = {"k9_team": teams[team_id]}
        if day is not None and not operation.starts_on <= day <= operation.ends_on:
            row.fail("date", _("The operation runs from %(s)s to %(e)s.") % {"s": operation.starts_on,
                                                                              "e": operation.ends_on})  # fmt: skip
        if not row.ok:
            continue
        starts_at, ends_at = bulk.shift_on(day, from_time, to_time, operation.timezone)
        kwargs = {"venue": venue, "starts_at": starts_at, "ends_at": ends_at, "role": row.text("role"), **source}
        placements.append((number, kwargs))
    _refuse(errors)
    # One lock order (source, then time) for every import and bulk placement: two wait, never deadlock.
    placements.sort(key=lambda p: (p[1].get("k9_team") is not None, _source_pk(p[1]), p[1]["starts_at"]))
    placed = []
    for number, kwargs in placements:
        try:
            # Atomic itself: nested here, a savepoint, so later rows are still checked and reported.
            placed.append(transitions.create_assignment(actor=actor, tell=False, **kwargs))
        except DomainError as exc:
            errors.append(RowError(number, "", f"{exc.message} ({exc.code})"))
        except ValidationError as exc:
            _Row(number, {}, errors).model_errors(exc, {})
    _refuse(errors)
    bulk.tell_planned(actor, placed)
    return len(placed)


def _source_pk(kwargs):
    source = kwargs.get("k9_team") or kwargs.get("pledge_line")
    return source.pk

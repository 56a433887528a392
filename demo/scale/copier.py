"""Writing rows with PostgreSQL COPY, each table's columns read from its model (`_meta`)."""

import io
import json
import sys
import time

from django.utils import timezone


class Progress:
    """One stderr line per step, with elapsed seconds: a progress bar that survives CI logs."""

    def __init__(self, stream=None, *, enabled=True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, what: str, done: int | None = None, total: int | None = None):
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        if total:
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"[{bar}] {done:>7}/{total:<7} {what} ({elapsed:5.1f}s)\n")
        else:
            self.stream.write(f"{what} ({elapsed:5.1f}s)\n")
        self.stream.flush()


def text(value) -> str:
    """A Python value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict):  # a JSONField (an operation's rules)
        value = json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(value) + "}"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class Table:
    """A model's table for COPY: rows are dicts keyed by field attname (`pledge_id`); a field a row
    leaves out gets the model's default, or the database's (`db_default`, an identity id)."""

    def __init__(self, model, given, *, strict=True):
        self.name = model._meta.db_table
        fields = model._meta.concrete_fields
        unknown = set(given) - {f.attname for f in fields}
        if strict and unknown:
            raise ValueError(f"{self.name} has no field {sorted(unknown)}")
        self.fields = [f for f in fields if f.attname in given or not (f.primary_key or f.has_db_default())]
        # auto_now (updated_at) has no default and COPY runs no save(): a row's last change is taken as
        # its creation when the row has one (rows then spread over time, as in use), else the seeding instant.
        self.same_as = {
            f.attname: "created_at"
            for f in self.fields
            if getattr(f, "auto_now", False) and f.attname not in given and "created_at" in given
        }
        now = timezone.now()
        self.defaults = {
            f.attname: text(now if getattr(f, "auto_now", False) else f.get_default())
            for f in self.fields
            if f.attname not in given and f.attname not in self.same_as
        }
        self.columns = [f.column for f in self.fields]

    def line(self, row: dict) -> str:
        return "\t".join(
            text(row[self.same_as[f.attname]]) if f.attname in self.same_as
            else self.defaults[f.attname] if f.attname not in row
            else text(row[f.attname])
            for f in self.fields
        )  # fmt: skip

    def template(self) -> str:
        """A str.format template of one line, for rows whose values are already COPY text (the hot path)."""
        return "\t".join(
            self.defaults[f.attname].replace("{", "{{").replace("}", "}}") if f.attname in self.defaults
            else "{" + self.same_as.get(f.attname, f.attname) + "}"
            for f in self.fields
        )  # fmt: skip


class Copier:
    def __init__(self, cursor, progress: Progress):
        self.cursor = cursor
        self.progress = progress
        self.tables: list[str] = []

    def ids(self, model, n: int) -> list[int]:
        """Take n ids from the table's identity sequence, so foreign keys can be written before COPY."""
        if n == 0:
            return []
        table = model._meta.db_table
        self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [r[0] for r in self.cursor.fetchall()]

    def copy(self, model, rows: list[dict], *, label: str):
        """COPY rows (dicts of field values) into the model's table, in chunks, reporting each."""
        table = Table(model, rows[0] if rows else {}, strict=not _is_history(model))
        self.copy_lines(table, [table.line(row) for row in rows], label=label)

    def copy_with_history(self, model, rows: list[dict], history: list[dict], *, label: str):
        """The rows, then the model's simple-history rows (a row's fields, and history_date, _type, _user_id)."""
        self.copy(model, rows, label=label)
        self.copy(model.history.model, history, label=f"{label} history")

    def copy_lines(self, table: Table, lines: list[str], *, label: str, chunk=50_000):
        total = len(lines)
        if table.name not in self.tables:
            self.tables.append(table.name)
        sql = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
        for start in range(0, total, chunk):
            buf = io.StringIO()
            for line in lines[start : start + chunk]:
                buf.write(line)
                buf.write("\n")
            buf.seek(0)
            self.cursor.cursor.copy_expert(sql, buf)
            self.progress(label, min(start + chunk, total), total)
        if total == 0:
            self.progress(f"{label}: none")


def _is_history(model) -> bool:
    # A history table leaves out its model's excluded fields (created_at): the row may carry them.
    return hasattr(model, "instance_type")

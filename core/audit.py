"""Exports of personal data are recorded with who and when (issue 8: audit).

Every view, API action or command that hands out a roster, a contact list or any other file
with people in it calls `record_export` before sending it.
"""

from core.models import ExportRecord


def record_export(user, what: str, filters: dict | None = None, *, rows: int | None = None) -> ExportRecord:
    """One row per export: `what` names the export ("roster", "k9_teams"...), `filters` what was asked.

    Call it inside the request's work, not after the response: if the row cannot be written,
    the export must fail too.
    """
    return ExportRecord.objects.create(
        user=user, what=what, filters={k: _plain(v) for k, v in (filters or {}).items()}, rows=rows
    )


def _plain(value):
    # Querystring values, model instances, dates: stored as JSON the auditor can read.
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)

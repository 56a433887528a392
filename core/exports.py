"""Lists as CSV or XLSX files: streamed, recorded in the audit trail, every cell made inert (core.cells)."""

import csv

from django.http import Http404, HttpResponse, StreamingHttpResponse

from core import cells
from core.audit import record_export


class _Echo:
    def write(self, value):
        return value


def export(request, filename: str, headers: list[str], rows) -> HttpResponse:
    """Rows (an iterator of lists) as CSV (streamed) or XLSX (openpyxl's write-only mode keeps memory flat),
    as `?format=` asks. Exports hold people's names: each is recorded with who, when and the filters."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    record_export(request.user, filename, dict(request.GET.lists()))
    if fmt == "csv":
        writer = csv.writer(_Echo())
        stream = (writer.writerow(row) for row in _with_header(headers, rows))
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    for row in _with_header(headers, rows):
        sheet.append(row)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    workbook.save(response)
    return response


def _with_header(headers, rows):
    yield [str(h) for h in headers]
    for row in rows:
        yield cells.row(row)


def export_time(value):
    """Instants in exports: local wall time of the operation (Europe/Paris) with its offset, ISO 8601."""
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""

"""What every staff page shares: who may open it, the base layout's context, refusals shown as messages,
pagination and exports. Pages call the transition functions; nothing here writes a status."""

import csv
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core import cells
from notifications.models import Notification
from reinforcements.audit import record_export
from reinforcements.errors import DomainError
from reinforcements.queries import visible_operations
from reinforcements.roles import is_coordinator, is_staff_reader

PAGE_SIZE = 50


def staff_page(view):
    """Coordinators and viewers only; to anyone else (a liaison) the staff site does not exist: 404.
    A POST is a change: coordinators only, a viewer's forged POST is refused with 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_reader(request.user):
            raise Http404
        if request.method == "POST" and not is_coordinator(request.user):
            raise PermissionDenied(_("Only a coordinator may do this."))
        return view(request, *args, **kwargs)

    return wrapper


def operation_of(request, code):
    """The operation of a staff URL, or 404; picked from the operations menu (one query for both)."""
    for operation in nav_operations(request):
        if operation.code == code:
            return operation
    raise Http404


def nav_operations(request) -> list:
    """The operations the user may see, in menu order; read once per request (a handful of rows)."""
    if not hasattr(request, "_nav_operations"):
        request._nav_operations = list(visible_operations(request.user))
    return request._nav_operations


def page(request, template, context):
    """Render a page with the base layout's context: the operations menu, the unread count, the user's rights."""
    context.setdefault("operation", None)
    context["can_edit"] = is_coordinator(request.user)
    context["read_only"] = not context["can_edit"]
    context["nav_operations"] = nav_operations(request)
    context["unread_count"] = Notification.objects.filter(
        recipient=request.user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).count()
    if request.htmx and "#" not in template and context.get("htmx_partial"):
        template = f"{template}#{context['htmx_partial']}"
    return render(request, template, context)


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def apply_errors(form, exc: ValidationError) -> None:
    """Put a ValidationError from a model or a transition on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def attempt(request, move, *args, form=None, success=None, **kwargs):
    """Call a transition; a refusal becomes a message (or form errors). Returns the result, or None if refused."""
    try:
        result = move(*args, actor=request.user, **kwargs)
    except DomainError as exc:
        if form is not None:
            form.add_error(None, str(exc.message))
        else:
            messages.error(request, exc.message)
        return None
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


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
    for values in rows:
        yield cells.row(values)


def export_time(value):
    """Instants in exports: local wall time of the operation (Europe/Paris) with its offset, ISO 8601."""
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def get_visible_or_404(queryset, **lookup):
    return get_object_or_404(queryset, **lookup)

"""The import page of an operation (SPEC §10): venues, needs and assignments from CSV/XLSX, the
template of each, and every row's problems when a file is refused. The work is deployments.imports,
the same as POST /api/v1/operations/{code}/imports/{kind}/."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pages import page, staff_page
from deployments import imports
from reinforcements.queries import operation_of

KIND_LABELS = {
    "venues": gettext_lazy("Venues"),
    "needs": gettext_lazy("Needs"),
    "assignments": gettext_lazy("Assignments"),
}
KIND_HELP = {
    "venues": gettext_lazy("One venue a row: code, name, and optionally kind, address, latitude, longitude."),
    "needs": gettext_lazy(
        "One need a row, or a daily pattern: from_date to to_date (optionally on some weekdays, 1 = Monday … "
        "7 = Sunday) makes one need per day. Optional: languages (e.g. es,en), legal_status, armed (yes/no)."
    ),
    "assignments": gettext_lazy(
        "One placement a row: venue code, date, from_time, to_time, then pledge_line and quantity, or k9_team. "
        "Every placement rule is checked; the countries are told once."
    ),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=list(KIND_LABELS.items()))
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


@staff_page
def import_page(request, op):
    operation = operation_of(request, op)
    refused = None
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_file(
                actor=request.user, operation=operation, kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )  # fmt: skip
        except imports.ImportRefused as exc:
            refused = exc
        else:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s %(what)s created.")
                % {"rows": result.rows, "created": result.created, "what": KIND_LABELS[result.kind].lower()},
            )
            return redirect("import_page", op=operation.code)
    kinds = [(kind, KIND_LABELS[kind], KIND_HELP[kind], imports.COLUMNS[kind]) for kind in imports.KINDS]
    return page(request, "deployments/import.html", {
        "operation": operation, "section": "import", "form": form, "refused": refused, "kinds": kinds,
        "max_rows": imports.MAX_ROWS,
    })  # fmt: skip


@staff_page
def import_template(request, op, kind):
    operation = operation_of(request, op)
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{operation.code}-{kind}-template.csv"'
    return response

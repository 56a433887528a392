"""One assignment (seen in its planner day, moved, cancelled), and the filtered list and its export."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from core.countries import country_choices, country_label
from core.exports import export, export_time
from core.filterbar import Shown, filter_bar
from core.pages import attempt, list_page, page, staff_page
from core.roles import is_coordinator
from deployments import bulk, transitions
from deployments.filters import AssignmentListFilter
from deployments.forms import MoveForm
from deployments.queries import visible_assignments, visible_venues
from deployments.views.planner import _planner_url
from reinforcements.queries import operation_of


def _visible_assignment(request, pk):
    return get_object_or_404(visible_assignments(request.user).select_related("venue__operation"), pk=pk)


@staff_page
def assignment_detail(request, pk):
    """Notification links point here: the assignment in its planner day."""
    assignment = _visible_assignment(request, pk)
    return redirect(
        _planner_url(assignment.venue, timezone.localtime(assignment.starts_at).date(), f"#a{assignment.pk}")
    )


@require_http_methods(["GET", "POST"])
@staff_page
def assignment_move(request, pk):
    """GET: the form (the planner loads it when "Move…" is opened, or a page of its own without
    JavaScript); POST: move the assignment and go back to its planner day."""
    assignment = _visible_assignment(request, pk)
    if request.method == "GET":
        if not is_coordinator(request.user):
            raise PermissionDenied(_("Only a coordinator may do this."))
        form = MoveForm(
            initial={"starts_at": timezone.localtime(assignment.starts_at),
                     "ends_at": timezone.localtime(assignment.ends_at), "quantity": assignment.quantity,
                     "role": assignment.role},
            prefix=f"a{assignment.pk}",
        )  # fmt: skip
        template = "deployments/assignment_move.html" + ("#move-form" if request.htmx else "")
        return page(request, template, {
            "operation": assignment.venue.operation, "section": "planner", "assignment": assignment, "form": form,
        })  # fmt: skip
    form = MoveForm(request.POST, prefix=f"a{assignment.pk}")
    if form.is_valid():
        data = form.cleaned_data
        moved = attempt(
            request, transitions.move_assignment, assignment.pk, starts_at=data["starts_at"],
            ends_at=data["ends_at"], quantity=data["quantity"], role=data["role"],
            success=_("Assignment moved; the country confirms it again."),
        )  # fmt: skip
        for warning in getattr(moved, "warnings", []):  # rules in `warn` mode: moved, and listed as conflicts
            messages.warning(request, warning.message)
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(
        _planner_url(assignment.venue, timezone.localtime(assignment.starts_at).date(), f"#a{assignment.pk}")
    )


@require_POST
@staff_page
def assignment_cancel(request, pk):
    assignment = _visible_assignment(request, pk)
    attempt(
        request, transitions.cancel_assignment, assignment.pk, reason=request.POST.get("reason", ""),
        success=_("Assignment cancelled; the country is told."),
    )  # fmt: skip
    return redirect(
        _planner_url(assignment.venue, timezone.localtime(assignment.starts_at).date(), f"#a{assignment.pk}")
    )


# On the day (SPEC §12): check-in, completion and no-show, from the planner and the board.
ON_THE_DAY = {
    "start": (transitions.start_assignment, gettext_lazy("Checked in: the assignment is under way.")),
    "complete": (transitions.complete_assignment, gettext_lazy("Assignment completed.")),
    "no_show": (transitions.record_no_show, gettext_lazy("No-show recorded; the country is told.")),
}


@require_POST
@staff_page
def assignment_on_the_day(request, pk, move):
    """Check in, complete or record a no-show; back to `next` (the board) or the assignment's planner day."""
    if move not in ON_THE_DAY:
        raise Http404
    assignment = _visible_assignment(request, pk)
    function, success = ON_THE_DAY[move]
    attempt(request, function, assignment.pk, success=str(success))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(
        _planner_url(assignment.venue, timezone.localtime(assignment.starts_at).date(), f"#a{assignment.pk}")
    )


def _assignment_filters(request, operation):
    qs = (
        visible_assignments(request.user)
        .filter(venue__operation=operation)
        .select_related("venue", "pledge__request", "pledge_line__specialty", "k9_team")
        .order_by("starts_at", "pk")
    )
    venues = visible_venues(request.user).filter(operation=operation).order_by("code").values_list("code", "name")
    shown = {
        "venue": Shown(_("Venue"), choices=[("", _("All venues")), *venues]),
        "status": Shown(_("Status"), _("All statuses")),
        "country": Shown(_("Country"), choices=country_choices()),
        "day": Shown(_("Day"), widget=forms.DateInput(attrs={"type": "date"})),
        "sort": Shown(
            _("Sort"), choices=[("", _("Start time")), ("country", _("Country A→Z")), ("-country", _("Country Z→A"))]
        ),
    }
    return filter_bar(AssignmentListFilter, request, qs, shown, timezone=operation.timezone)


@staff_page
def assignment_list(request, op):
    operation = operation_of(request, op)
    return list_page(
        request, "deployments/assignment_list.html", _assignment_filters(request, operation), operation=operation,
        section="assignments", export="assignment_export",
    )  # fmt: skip


@require_POST
@staff_page
def assignment_bulk_cancel(request, op):
    """Cancel the assignments ticked on the list with one reason (deployments.bulk.cancel_many), back to the list."""
    operation = operation_of(request, op)
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    ids = list(
        visible_assignments(request.user).filter(venue__operation=operation, pk__in=ids).values_list("pk", flat=True)
    )
    cancelled = attempt(request, bulk.cancel_many, ids=ids, reason=request.POST.get("reason", ""))
    if cancelled:
        messages.success(
            request,
            ngettext(
                "%(n)s assignment cancelled; the country is told.",
                "%(n)s assignments cancelled; each country is told once.",
                len(cancelled),
            )
            % {"n": len(cancelled)},
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("assignment_list", op=operation.code)


@staff_page
def assignment_export(request, op):
    operation = operation_of(request, op)
    filterset = _assignment_filters(request, operation)
    headers = [_("Assignment"), _("Venue"), _("Country"), _("Country code"), _("Specialty"), _("Officers"),
               pgettext("label", "K9 team"), _("Legal status"), _("Starts at"), _("Ends at"), _("Role"),
               _("Status")]  # fmt: skip
    rows = (
        [a.pk, a.venue.code, country_label(a.pledge.request.country), a.pledge.request.country,
         a.pledge_line.specialty.code if a.pledge_line_id else f"k9_{a.k9_team.detection}",
         a.quantity or "", str(a.k9_team) if a.k9_team_id else "", a.source.legal_status_text,
         export_time(a.starts_at), export_time(a.ends_at),
         a.role, a.get_status_display()]
        for a in filterset.qs.iterator(chunk_size=2000)
    )  # fmt: skip
    return export(request, f"assignments-{operation.code}", headers, rows)

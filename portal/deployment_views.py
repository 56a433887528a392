"""The liaison's deployments: the list, its print view and CSV, a duty roster, one assignment, its confirmation
and, on the day, its check-in, completion or no-show."""

import csv
import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import cells
from core.audit import record_export
from core.errors import DomainError
from core.filterbar import Shown, chosen, filter_bar
from deployments.filters import AssignmentFilter
from deployments.models import Assignment
from deployments.queries import visible_assignments
from deployments.transitions import complete_assignment, confirm_assignment, record_no_show, start_assignment
from deployments.views.roster import roster_response
from portal.access import liaison_required
from portal.forms import NoShowForm
from reinforcements.queries import visible_operations


def _assignments(user):
    return visible_assignments(user).select_related(
        "venue__operation", "pledge_line__specialty", "k9_team", "pledge__request"
    )


def _deployment_rows(request):
    """The contingent's assignments of the statuses asked for (`?status=`, as over the API), else all but the
    cancelled ones; and the statuses shown. The list, its print view and its CSV show the same rows."""
    rows = _assignments(request.user).order_by("starts_at", "pk")
    filterset = filter_bar(AssignmentFilter, request, rows, {"status": Shown(_("Status"))})
    statuses = chosen(filterset, "status")
    if statuses:
        return filterset.qs, statuses
    return rows.exclude(status=Assignment.Status.CANCELLED), []


@require_http_methods(["GET", "POST"])
@liaison_required
def deployments(request):
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("assignment") if v.isdigit()]
        chosen = list(_assignments(request.user).filter(pk__in=ids))
        if len(chosen) != len(set(ids)):
            return HttpResponse(status=404)
        if not chosen:
            messages.error(request, _("Tick the assignments to confirm first."))
        done = 0
        for assignment in chosen:
            try:
                confirm_assignment(assignment.pk, actor=request.user)
                done += 1
            except DomainError as exc:
                messages.error(request, f"{assignment}: {exc.message}")
        if done:
            text = ngettext("%(n)s assignment confirmed.", "%(n)s assignments confirmed.", done)
            messages.success(request, text % {"n": done})
        return redirect("portal:deployments")
    rows, shown = _deployment_rows(request)
    return render(
        request,
        "portal/deployments.html",
        {
            "assignments": rows,
            "shown": shown,
            "statuses": Assignment.Status.choices,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@liaison_required
def deployments_print(request):
    return render(
        request,
        "portal/deployments_print.html",
        {"assignments": _deployment_rows(request)[0], "now": timezone.now(), "country": request.country},
    )


@require_GET
@liaison_required
def deployments_csv(request):
    record_export(request.user, f"deployments-{request.country}", dict(request.GET.lists()))
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="deployments-{request.country}.csv"'},
    )
    writer = csv.writer(response)
    writer.writerow(["id", "status", "venue", "starts_at", "ends_at", "time_zone", "role", "who", "officers",
                     "legal_status", "armed", "powers"])  # fmt: skip
    for a in _deployment_rows(request)[0]:
        tz = a.venue.operation.timezone
        who = str(a.k9_team) if a.k9_team_id else a.pledge_line.specialty.code
        source = a.source
        writer.writerow(cells.row([
            a.pk, a.status, a.venue.name,
            timezone.localtime(a.starts_at, zoneinfo.ZoneInfo(tz)).isoformat(), timezone.localtime(a.ends_at, zoneinfo.ZoneInfo(tz)).isoformat(),
            tz, a.role, who, a.quantity or "", source.legal_status, str(source.armed).lower(), source.powers,
        ]))  # fmt: skip
    return response


@require_GET
@liaison_required
def duty_roster(request, op, venue, day):
    """The duty roster of a venue and day with the liaison's own people only; 404 where they have none."""
    operation = get_object_or_404(visible_operations(request.user), code=op)
    return roster_response(request, operation, venue, day, back_url=reverse("portal:deployments"))


@require_GET
@liaison_required
def assignment_detail(request, pk):
    assignment = get_object_or_404(_assignments(request.user), pk=pk)
    return render(request, "portal/assignment_detail.html", {"a": assignment})


@require_POST
@liaison_required
def assignment_confirm(request, pk):
    assignment = get_object_or_404(_assignments(request.user), pk=pk)
    try:
        confirm_assignment(assignment.pk, actor=request.user)
        messages.success(request, _("Assignment confirmed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    if request.POST.get("next_page") == "list":
        return redirect("portal:deployments")
    return redirect("portal:assignment_detail", pk=assignment.pk)


# On the day (SPEC §12): the liaison reports what their officers on the ground see, through the moves the
# planner and the API use (deployments.transitions says who may make each and when).
ON_THE_DAY = {
    "start": (start_assignment, gettext_lazy("Checked in: the assignment is under way.")),
    "complete": (complete_assignment, gettext_lazy("Assignment completed.")),
    "no_show": (record_no_show, gettext_lazy("No-show recorded; the ministry is told.")),
}


@require_POST
@liaison_required
def assignment_on_the_day(request, pk, move):
    """Check in, complete or record a no-show (with what happened). htmx gets the row again, with the outcome in
    it; without JavaScript, back to the list (or to the assignment's page, `next_page=detail`) with a message.
    A refusal changes nothing and says why, in the liaison's language."""
    assignment = get_object_or_404(_assignments(request.user), pk=pk)
    function, success = ON_THE_DAY[move]
    form = NoShowForm(request.POST) if move == "no_show" else None
    error = reason_error = ""
    if form is not None and not form.is_valid():
        error = reason_error = " ".join(form.errors["reason"])
    else:
        try:
            function(assignment.pk, actor=request.user, **(form.cleaned_data if form is not None else {}))
        except DomainError as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:
        context = {"a": _assignments(request.user).get(pk=pk), "note": error or success, "failed": bool(error),
                   "reason_error": reason_error, "reason": request.POST.get("reason", "") if error else ""}  # fmt: skip
        return render(request, "portal/_deployment_row.html", context)
    if error:
        messages.error(request, f"#{assignment.pk}: {error}")
    else:
        messages.success(request, f"#{assignment.pk}: {success}")
    if request.POST.get("next_page") == "detail":
        return redirect("portal:assignment_detail", pk=assignment.pk)
    return redirect(f"{reverse('portal:deployments')}#assignment-{assignment.pk}")

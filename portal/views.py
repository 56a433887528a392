"""The liaison portal (SPEC §2): a foreign liaison officer answers requests, pledges,
imports a roster and confirms deployments, for their own country only.

Every object comes from a `visible_*` query (anything else is a 404) and every change
goes through a transition; a view parses, makes the call, renders. A form with errors is
rendered again with 200, as Django's FormView does (the errors sit next to the fields)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from deployments import clock
from deployments.models import Assignment
from deployments.queries import visible_assignments
from notifications.reading import mark_all_read, mark_read, own_notifications, unread_count, unread_first
from pledges.amendment_transitions import NO_CHANGE, amend_pledge
from pledges.models import Pledge
from pledges.queries import amendments_of, readiness_gaps, visible_pledges
from pledges.transitions import create_pledge, submit_pledge, update_pledge, withdraw_pledge
from portal import roster
from portal.access import liaison_required
from portal.forms import (
    ROW_KINDS,
    AmendmentNoteForm,
    K9TeamFormSet,
    PartialWithdrawalForm,
    PledgeForm,
    PledgeLineFormSet,
    ReasonForm,
    RosterImportForm,
    row_form,
)
from reinforcements.models import ReinforcementRequest, Specialty
from reinforcements.queries import visible_requests
from reinforcements.transitions import acknowledge_request, decline_request


def _requests(user):
    return visible_requests(user).select_related("operation")


def _pledges(user):
    return visible_pledges(user).select_related("request__operation")


def _error_text(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


HOME_NOTIFICATIONS = 8  # the home page's compact list; the inbox has them all


def _today():
    """The day overdue marks are measured against: the demo clock's when one is set (deployments/clock.py)."""
    return timezone.localdate(clock.now())


@require_GET
@liaison_required
def home(request):
    """What awaits the liaison first (requests to answer, pledges to fix or finish, assignments to
    confirm), then their pledges, then their latest notifications, unread first."""
    user, today = request.user, _today()
    answered = Pledge.objects.filter(request=OuterRef("pk"), status__in=Pledge.ANSWER_STATUSES)
    to_answer = list(
        _requests(user).filter(status__in=ReinforcementRequest.OPEN_STATUSES).exclude(Exists(answered))
        .order_by("response_due", "pk")
    )  # fmt: skip
    for req in to_answer:
        req.overdue = bool(req.response_due and req.response_due < today)
    # Partial withdrawals (SPEC §4): how many of a pledge's lines and teams its country took back.
    withdrawn_lines = Count("lines", filter=Q(lines__withdrawn_at__isnull=False), distinct=True)
    withdrawn_teams = Count("k9_teams", filter=Q(k9_teams__withdrawn_at__isnull=False), distinct=True)
    pledges = list(_pledges(user).annotate(withdrawn_parts=withdrawn_lines + withdrawn_teams).order_by("-pk"))
    notifications = list(
        unread_first(user).annotate(
            unread_total=Subquery(
                own_notifications(user).filter(read_at__isnull=True).order_by().values("recipient")
                .annotate(n=Count("pk")).values("n")
            )
        )[:HOME_NOTIFICATIONS]
    )  # fmt: skip
    return render(request, "portal/home.html", {
        "to_answer": to_answer,
        "to_fix": [p for p in pledges if p.can("edit")],
        "not_ready": readiness_gaps(user, today),
        "pledges": pledges,
        # A big contingent has thousands planned: the home page only says how many.
        "awaiting_count": visible_assignments(user).filter(status=Assignment.Status.PLANNED).count(),
        "notifications": notifications,
        "unread_count": (notifications[0].unread_total or 0) if notifications else 0,
    })  # fmt: skip


@require_GET
@liaison_required
def inbox(request):
    """Every notification of the liaison, unread first, 50 a page."""
    page_obj = Paginator(unread_first(request.user), 50).get_page(request.GET.get("page"))
    unread = unread_count(request.user)
    return render(request, "portal/inbox.html", {"page_obj": page_obj, "unread_count": unread})


@require_POST
@liaison_required
def notifications_read_all(request):
    done = mark_all_read(request.user)
    if done:
        text = ngettext("%(n)s notification marked read.", "%(n)s notifications marked read.", done)
        messages.success(request, text % {"n": done})
    return redirect("portal:inbox" if request.POST.get("next_page") == "inbox" else "portal:home")


@require_GET
@liaison_required
def request_detail(request, pk):
    req = get_object_or_404(_requests(request.user).prefetch_related("lines__specialty"), pk=pk)
    return render(
        request,
        "portal/request_detail.html",
        {
            "req": req,
            "pledges": _pledges(request.user).filter(request=req),
            "decline_form": ReasonForm(),
            "overdue": req.is_open and req.response_due and req.response_due < _today(),
        },
    )


@require_POST
@liaison_required
def request_acknowledge(request, pk):
    req = get_object_or_404(_requests(request.user), pk=pk)
    try:
        acknowledge_request(req.pk, actor=request.user)
        messages.success(request, _("You acknowledged the request. You can now prepare a pledge."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:request_detail", pk=req.pk)


def _move_with_reason(request, move, pk, success):
    """Make a move that needs the posted reason (decline a request, withdraw a pledge). None when it is
    made (`success` shown); else the form, carrying what was wrong, for the page to show again."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            move(pk, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, success)
            return None
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
    return form


@require_POST
@liaison_required
def request_decline(request, pk):
    req = get_object_or_404(_requests(request.user), pk=pk)
    form = _move_with_reason(
        request, decline_request, req.pk, _("You declined the request. The ministry has been told.")
    )
    if form is None:
        return redirect("portal:request_detail", pk=req.pk)
    req = _requests(request.user).prefetch_related("lines__specialty").get(pk=req.pk)
    context = {"req": req, "pledges": _pledges(request.user).filter(request=req), "decline_form": form}
    return render(request, "portal/request_detail.html", context)


class _Invalid(Exception):
    """Leaves the transaction of a pledge save: some form has errors, nothing is kept."""


def _apply_errors(exc: ValidationError, header, top: list):
    if not hasattr(exc, "error_dict"):
        top.extend(_error_text(exc))
        return
    for field, errors in exc.message_dict.items():
        if field in header.fields:
            header.add_error(field, errors)
        else:
            top.extend(errors)


def _pledge_form(request, req, pledge):
    """New (pledge is None) and edit share this: save as a draft, then submit if asked."""
    user = request.user
    target = pledge or Pledge(request=req)
    top_errors = []
    if request.method == "GET":
        header = PledgeForm(instance=target)
        lines = PledgeLineFormSet(pledge=target, prefix="lines")
        teams = K9TeamFormSet(pledge=target, prefix="k9")
        return _render_pledge_form(request, req, pledge, header, lines, teams, top_errors)

    header = PledgeForm(request.POST, instance=Pledge(request=req) if pledge is None else pledge)
    lines = teams = None
    try:
        with transaction.atomic():
            header_ok = header.is_valid()
            if pledge is None and header_ok:
                # The rows' own checks (availability inside the request's period) need a saved
                # pledge: create it here and roll it back if anything below is wrong.
                target = create_pledge(actor=user, request_id=req.pk, **header.cleaned_data)
            lines = PledgeLineFormSet(request.POST, pledge=target, prefix="lines")
            teams = K9TeamFormSet(request.POST, pledge=target, prefix="k9")
            if not all([header_ok, lines.is_valid(), teams.is_valid()]):  # every error at once
                raise _Invalid
            target = update_pledge(
                target.pk, actor=user, lines=lines.rows(), k9_teams=teams.rows(), **header.cleaned_data
            )
    except _Invalid:
        top_errors.append(_("Nothing was saved: correct the fields marked below."))
    except DomainError as exc:
        top_errors.append(exc.message)
    except ValidationError as exc:
        _apply_errors(exc, header, top_errors)
    if top_errors:
        return _render_pledge_form(request, req, pledge, header, lines, teams, top_errors)

    if request.POST.get("action") == "submit":
        try:
            submit_pledge(target.pk, actor=user)
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else " ".join(_error_text(exc))
            messages.error(request, _("Saved as a draft, but not submitted: %(why)s") % {"why": text})
            return redirect("portal:pledge_edit", pk=target.pk)
        messages.success(request, _("Your pledge was submitted to the ministry."))
    else:
        messages.success(request, _("Draft saved. You can come back to it and submit it when ready."))
    return redirect("portal:pledge_detail", pk=target.pk)


def _render_pledge_form(request, req, pledge, header, lines, teams, top_errors):
    target = pledge or Pledge(request=req)
    lines = lines or PledgeLineFormSet(request.POST, pledge=target, prefix="lines")
    teams = teams or K9TeamFormSet(request.POST, pledge=target, prefix="k9")
    return render(
        request,
        "portal/pledge_form.html",
        {"req": req, "pledge": pledge, "form": header, "lines": lines, "teams": teams, "top_errors": top_errors},
    )


@require_http_methods(["GET", "POST"])
@liaison_required
def pledge_new(request, pk):
    req = get_object_or_404(_requests(request.user), pk=pk)
    if not req.can("pledge"):
        messages.error(request, _("This request is no longer open: no pledge can be made on it."))
        return redirect("portal:request_detail", pk=req.pk)
    return _pledge_form(request, req, None)


@require_http_methods(["GET", "POST"])
@liaison_required
def pledge_edit(request, pk):
    pledge = get_object_or_404(_pledges(request.user), pk=pk)
    if not pledge.can("edit"):
        messages.error(request, _("This pledge can no longer be edited (%(status)s).") % {
            "status": pledge.get_status_display()
        })  # fmt: skip
        return redirect("portal:pledge_detail", pk=pledge.pk)
    return _pledge_form(request, pledge.request, pledge)


@require_http_methods(["GET", "POST"])
@liaison_required
def pledge_amend(request, pk):
    """Amend a pledge already with the ministry (SPEC §4): the same rows as the pledge form, prefilled; a row
    changed becomes a change, a new row an addition, a row removed a removal. Nothing changes until the
    ministry decides each change."""
    pledge = get_object_or_404(_pledges(request.user), pk=pk)
    if not pledge.can("amend"):
        messages.error(request, _("This pledge cannot be amended (%(status)s).") % {
            "status": pledge.get_status_display()
        })  # fmt: skip
        return redirect("portal:pledge_detail", pk=pledge.pk)
    data = request.POST if request.method == "POST" else None
    note = AmendmentNoteForm(data)
    lines = PledgeLineFormSet(*([data] if data else []), pledge=pledge, prefix="lines")
    teams = K9TeamFormSet(*([data] if data else []), pledge=pledge, prefix="k9")
    top_errors = []
    if data is not None:
        if all([note.is_valid(), lines.is_valid(), teams.is_valid()]):
            line_rows, team_rows = lines.rows(), teams.rows()
            try:
                amend_pledge(
                    pledge.pk, actor=request.user, note=note.cleaned_data["note"], lines=line_rows, k9_teams=team_rows,
                    remove_lines=sorted(set(lines.existing) - {row.get("id") for row in line_rows}),
                    remove_k9_teams=sorted(set(teams.existing) - {row.get("id") for row in team_rows}),
                )  # fmt: skip
            except DomainError as exc:
                top_errors.append(exc.message)
            except ValidationError as exc:
                top_errors.extend(_error_text(exc))
            else:
                messages.success(request, _("Your amendment was sent to the ministry; it decides each change."))
                return redirect("portal:pledge_detail", pk=pledge.pk)
        else:
            top_errors.append(_("Nothing was sent: correct the fields marked below."))
    return render(request, "portal/pledge_amend.html", {
        "pledge": pledge, "req": pledge.request, "note_form": note, "lines": lines, "teams": teams,
        "top_errors": top_errors,
    })  # fmt: skip


@require_GET
@liaison_required
def pledge_row(request, kind):
    """A blank row for the pledge form, and the formset's row count raised by one (out of band)."""
    if kind not in ROW_KINDS:
        return HttpResponse(status=404)
    prefix = ROW_KINDS[kind][1]
    raw = request.GET.get(f"{prefix}-TOTAL_FORMS", "0")
    index = int(raw) if raw.isdigit() and int(raw) < 1000 else 0
    return render(
        request,
        "portal/pledge_form.html#new_row",
        {"row": row_form(kind, index, Pledge()), "kind": kind, "prefix": prefix, "total": index + 1},
    )


@require_GET
@liaison_required
def row_removed(request):
    """htmx swaps the removed row for this empty answer."""
    return HttpResponse("")


def _detail_pledge(request, pk):
    return get_object_or_404(_pledges(request.user).prefetch_related("lines__specialty", "k9_teams"), pk=pk)


def _render_detail(request, pledge, *, withdraw_form=None, part_form=None):
    return render(request, "portal/pledge_detail.html", {
        "pledge": pledge, "history": _status_history(pledge), "amendments": amendments_of(pledge),
        "withdraw_form": withdraw_form or ReasonForm(),
        "part_form": part_form or PartialWithdrawalForm(pledge=pledge),
    })  # fmt: skip


@require_GET
@liaison_required
def pledge_detail(request, pk):
    return _render_detail(request, _detail_pledge(request, pk))


def _status_history(pledge) -> list:
    """Who moved the pledge and when: the history rows where its status changed."""
    rows = list(pledge.history.select_related("history_user").order_by("history_date", "history_id"))
    changes, previous = [], None
    for row in rows:
        if row.status != previous:
            changes.append(row)
            previous = row.status
    return list(reversed(changes))


@require_POST
@liaison_required
def pledge_submit(request, pk):
    pledge = get_object_or_404(_pledges(request.user), pk=pk)
    try:
        submit_pledge(pledge.pk, actor=request.user)
        messages.success(request, _("Your pledge was submitted to the ministry."))
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(_error_text(exc)))
    return redirect("portal:pledge_detail", pk=pledge.pk)


@require_POST
@liaison_required
def pledge_withdraw(request, pk):
    pledge = get_object_or_404(_pledges(request.user), pk=pk)
    form = _move_with_reason(
        request, withdraw_pledge, pledge.pk, _("Your pledge was withdrawn. The ministry has been told.")
    )
    if form is None:
        return redirect("portal:pledge_detail", pk=pledge.pk)
    return _render_detail(request, _detail_pledge(request, pledge.pk), withdraw_form=form)


@require_POST
@liaison_required
def pledge_withdraw_part(request, pk):
    """Withdraw the ticked lines and teams only, with a reason (SPEC §4); the pledge stays."""
    pledge = _detail_pledge(request, pk)
    form = PartialWithdrawalForm(request.POST, pledge=pledge)
    if form.is_valid():
        data = form.cleaned_data
        try:
            withdraw_pledge(
                pledge.pk, actor=request.user, reason=data["reason"], lines=data["lines"], k9_teams=data["k9_teams"]
            )
            messages.success(request, _("Withdrawn. Their open assignments are cancelled; the ministry has been told."))
            return redirect("portal:pledge_detail", pk=pledge.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
    return _render_detail(request, pledge, part_form=form)


@require_http_methods(["GET", "POST"])
@liaison_required
def pledge_import(request, pk):
    """All-or-nothing, and idempotent (issue 18): rows naming a line or team the pledge has (a team by its
    handler and dog, a line by its specialty) update it, the others are added; importing the same file
    again changes nothing. Once the pledge is with the ministry, what differs goes as an amendment."""
    pledge = get_object_or_404(_pledges(request.user), pk=pk)
    if not (pledge.can("edit") or pledge.can("amend")):
        messages.error(request, _("This pledge can no longer be edited (%(status)s).") % {
            "status": pledge.get_status_display()
        })  # fmt: skip
        return redirect("portal:pledge_detail", pk=pledge.pk)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    context = {"pledge": pledge, "form": form, "problems": [], "file_error": "", "kinds": roster.KIND_LABELS}
    context["specialties"] = Specialty.objects.filter(is_canine=False)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            rows, problems = roster.parse(form.cleaned_data["file"], kind, pledge)
            context["problems"] = problems
            if not problems:
                text = _import_rows(request, pledge, kind, rows)
                messages.success(request, text)
                url = reverse("portal:pledge_detail", args=[pledge.pk])
                if request.htmx:
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        except roster.RosterError as exc:
            context["file_error"] = str(exc)
        except DomainError as exc:
            context["file_error"] = exc.message
        except ValidationError as exc:
            context["file_error"] = " ".join(_error_text(exc))
    template = "portal/pledge_import.html#result" if request.htmx else "portal/pledge_import.html"
    return render(request, template, context)


def _import_rows(request, pledge, kind, rows) -> str:
    standing = list(getattr(pledge, kind).filter(withdrawn_at__isnull=True).order_by("pk"))
    matched, new = roster.match(kind, rows, standing)
    if pledge.can("edit"):
        kept = [{"id": obj.pk} for obj in standing if obj.pk not in {row["id"] for row in matched}]
        update_pledge(pledge.pk, actor=request.user, **{kind: kept + matched + new})
        return ngettext(
            "%(n)s row imported. Check it below, then submit.",
            "%(n)s rows imported. Check them below, then submit.",
            len(rows),
        ) % {"n": len(rows)}
    try:
        amend_pledge(pledge.pk, actor=request.user, note=_("Roster imported."), **{kind: matched + new})
    except ValidationError as exc:
        if not any(error.code == NO_CHANGE for error in getattr(exc, "error_dict", {}).get("lines", [])):
            raise
        return _("Nothing in this file differs from the pledge: nothing was sent.")
    return _("What differs from the pledge was sent to the ministry as an amendment; it decides each change.")


@require_GET
@liaison_required
def roster_template(request, kind, fmt):
    if kind not in roster.COLUMNS or fmt not in ("csv", "xlsx"):
        return HttpResponse(status=404)
    if fmt == "csv":
        content, mime = roster.template_csv(kind), "text/csv; charset=utf-8"
    else:
        content, mime = roster.template_xlsx(kind), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return HttpResponse(
        content, content_type=mime, headers={"Content-Disposition": f'attachment; filename="roster-{kind}.{fmt}"'}
    )


@require_POST
@liaison_required
def notification_read(request, pk):
    note = mark_read(get_object_or_404(own_notifications(request.user), pk=pk))
    if note.url.startswith("/portal/"):
        return redirect(note.url)
    return redirect("portal:home")

"""Staff pages: home, login, operation dashboard, requests. Every change calls reinforcements.transitions."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, Func, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm
from core import freshness
from core.countries import country_label, country_sort_key
from core.exports import export, export_time
from core.filterbar import filter_bar
from core.pages import attempt, list_page, page, staff_page
from core.roles import is_staff_reader, liaison_country
from deployments.clock import reference_instant
from deployments.models import Assignment
from deployments.queries import COUNTS, coverage_grid
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements import transitions
from reinforcements.models import ReinforcementRequest, RequestLine, Specialty
from reinforcements.queries import operation_of, visible_operations, visible_requests
from staff import filters
from staff.dashboard import bar_rows, operation_figures
from staff.forms import ReasonForm, RequestForm

Status = ReinforcementRequest.Status


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The user's own language is the default after logging in; the switch in the header overrides it.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language, samesite="Lax")
        return response


@login_required
def home(request):
    """Staff land on the latest operation's dashboard; a liaison on the portal."""
    if liaison_country(request.user) and not is_staff_reader(request.user):
        return redirect("/portal/")
    if not is_staff_reader(request.user):
        return page(request, "staff/no_access.html", {})
    operation = visible_operations(request.user).order_by("-starts_on", "code").first()
    if operation is None:
        return page(request, "staff/no_operation.html", {})
    return redirect("dashboard", operation.code)


@staff_page
def dashboard(request, op):
    operation = operation_of(request, op)
    # Today, or the operation's first day with needs when today is outside it (deployments/clock.py):
    # only gaps still ahead of it matter.
    reference = reference_instant(operation)
    now, today = reference.instant, reference.day
    gaps_from = today
    gaps_window = dt.datetime.combine(gaps_from, dt.time.min, timezone.get_current_timezone())
    figures, gap_rows, gap_count, awaiting_rows, undecided_rows = freshness.cached(
        "dashboard", operation.pk, today.isoformat(), gaps_window.isoformat(),
        compute=lambda: _dashboard_data(operation, today, gaps_window),
    )  # fmt: skip
    # The clock moves this list, not only the data: read on every request.
    unconfirmed = Assignment.objects.filter(
        venue__operation=operation, status=Assignment.Status.PLANNED, starts_at__gte=now,
        starts_at__lt=now + dt.timedelta(hours=48),
    )  # fmt: skip
    who = unconfirmed.select_related("venue", "pledge__request", "pledge_line__specialty", "k9_team")
    unconfirmed_rows = _first_ten(who.order_by("starts_at"), total=unconfirmed)
    # Most requested first; countries asked as much, by their name in the page's language (the cached
    # figures are the same for every language).
    by_country = sorted(
        figures["by_country"],
        key=lambda r: (-r["officers"]["requested"] - r["teams"]["requested"], country_sort_key(r["country"])),
    )
    country_chart = bar_rows(
        by_country[:30],
        lambda r: (
            country_label(r["country"])
            + (f" (+{r['teams']['requested'] or r['teams']['pledged']} K9)" if any(r["teams"].values()) else "")
        ),
        lambda r: r["officers"] if any(r["officers"].values()) else r["teams"],
    )
    specialty_chart = bar_rows(
        figures["by_specialty"],
        lambda r: f"{r['specialty'].name} ({_('teams') if r['unit'] == 'teams' else _('officers')})",
        lambda r: {m: r[m] for m in COUNTS},
    )
    return page(request, "staff/dashboard.html", {
        "operation": operation, "section": "dashboard", "figures": figures,
        "country_chart": country_chart, "specialty_chart": specialty_chart,
        "more_countries": max(len(figures["by_country"]) - 30, 0),
        "awaiting": awaiting_rows, "awaiting_count": _total(awaiting_rows),
        "overdue": [r for r in awaiting_rows if r.response_due and r.response_due < today],
        "overdue_count": _total(awaiting_rows, "overdue"),
        "undecided": undecided_rows, "undecided_count": _total(undecided_rows),
        "unconfirmed": unconfirmed_rows, "unconfirmed_count": _total(unconfirmed_rows),
        "gaps": gap_rows, "gap_count": gap_count, "gaps_from": gaps_from, "clock_note": reference.note,
    })  # fmt: skip


def _first_ten(rows, **totals):
    """The first ten rows, each bringing the totals along: one query per list, whatever the totals.

    A total is a scalar subquery, which PostgreSQL counts once over the narrow rows it needs; not
    COUNT(*) OVER (), which keeps every row, joined ones included, to show ten (5,000 pledges to
    decide: 2.6 ms instead of 11.6 ms)."""
    counts = {
        name: Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"))
        for name, queryset in totals.items()
    }
    return list(rows.annotate(**counts)[:10])


def _total(rows, name="total"):
    return getattr(rows[0], name) if rows else 0


def _dashboard_data(operation, today, gaps_window):
    """What only the data and the day change on the dashboard, cached until the data changes: the
    figures, the first ten gaps and how many, the requests awaiting an answer, the pledges to decide."""
    figures = operation_figures(operation)
    gaps = [row for row in coverage_grid(operation.pk, starts=gaps_window) if row["assigned"] < row["quantity"]]
    gap_rows = gaps[:10]
    _attach_needs(gap_rows)
    answered = Pledge.objects.filter(request=OuterRef("pk"), status__in=Pledge.ANSWER_STATUSES)
    awaiting = ReinforcementRequest.objects.filter(
        operation=operation, status__in=ReinforcementRequest.OPEN_STATUSES
    ).exclude(Exists(answered))
    # Overdue requests sort first among those awaiting (same order), so the ten first overdue ones
    # are the overdue ones among the ten first awaiting.
    overdue = awaiting.filter(response_due__lt=today)
    awaiting_rows = _first_ten(awaiting.order_by("response_due", "country"), total=awaiting, overdue=overdue)
    undecided = Pledge.objects.filter(request__operation=operation, status=Pledge.Status.SUBMITTED)
    undecided_rows = _first_ten(undecided.select_related("request").order_by("submitted_at"), total=undecided)
    return figures, gap_rows, len(gaps), awaiting_rows, undecided_rows


def _attach_needs(rows):
    """Venue and specialty objects for coverage rows, two queries for any number of rows."""
    from deployments.models import Venue

    venues = Venue.objects.in_bulk({r["venue_id"] for r in rows})
    specialties = Specialty.objects.in_bulk({r["specialty_id"] for r in rows})
    for r in rows:
        r["venue"], r["specialty"] = venues.get(r["venue_id"]), specialties.get(r["specialty_id"])


def _with_requested(qs):
    # Subqueries, not joins: a Sum over lines beside a Count over pledges would multiply each other.
    lines = RequestLine.objects.filter(request=OuterRef("pk")).values("request").annotate(n=Sum("quantity"))
    pledges = (
        Pledge.objects.filter(request=OuterRef("pk")).exclude(status=Pledge.Status.DRAFT)
        .values("request").annotate(n=Count("id"))
    )  # fmt: skip
    return qs.annotate(
        requested=Coalesce(Subquery(lines.values("n")), 0), pledge_count=Coalesce(Subquery(pledges.values("n")), 0)
    )


def _request_filters(request, operation):
    qs = _with_requested(visible_requests(request.user).filter(operation=operation)).order_by(
        *filters.request_order("country")
    )
    qs = qs.prefetch_related(Prefetch("lines", queryset=RequestLine.objects.select_related("specialty")))
    return filter_bar(filters.RequestListFilter, request, qs, filters.shown())


@staff_page
def request_list(request, op):
    operation = operation_of(request, op)
    sort = request.GET.get("sort", "country")
    return list_page(
        request, "staff/request_list.html", _request_filters(request, operation), operation=operation,
        section="requests", export="request_export",
        # A header link sorts by its column, and again the other way round.
        sort_country="-country" if sort == "country" else "country",
        sort_due="-response_due" if sort == "response_due" else "response_due",
        sort_requested="requested" if sort == "-requested" else "-requested",
    )  # fmt: skip


@staff_page
def request_export(request, op):
    operation = operation_of(request, op)
    qs = _request_filters(request, operation).qs
    headers = [_("Country"), _("Country code"), _("Authority"), _("Status"), _("Response due"), _("Period start"),
               _("Period end"), _("Requested"), _("Lines"), _("Sent at")]  # fmt: skip
    rows = (
        [country_label(r.country), r.country, r.get_authority_display(), r.get_status_display(),
         r.response_due, r.period_start, r.period_end, r.requested or 0,
         "; ".join(f"{line.specialty.code}={line.quantity}" for line in r.lines.all()), export_time(r.sent_at)]
        for r in qs.iterator(chunk_size=500)
    )  # fmt: skip
    return export(request, f"requests-{operation.code}", headers, rows)


@staff_page
def request_detail(request, pk):
    req = get_object_or_404(visible_requests(request.user).select_related("operation"), pk=pk)
    lines = list(req.lines.select_related("specialty"))
    offered = {
        row["specialty_id"]: row
        for row in PledgeLine.objects.filter(
            pledge__request=req, pledge__status__in=Pledge.ANSWER_STATUSES, withdrawn_at__isnull=True
        )
        .values("specialty_id")
        .annotate(offered=Sum("officers_offered"), accepted=Sum("officers_accepted"))
    }
    for line in lines:
        line.offered = (offered.get(line.specialty_id) or {}).get("offered") or 0
        line.accepted = (offered.get(line.specialty_id) or {}).get("accepted") or 0
    # What stands (lines and teams withdrawn alone no longer count). Subqueries, not joins: summing lines
    # beside counting teams would multiply each other.
    standing_lines = PledgeLine.objects.filter(pledge=OuterRef("pk"), withdrawn_at__isnull=True).values("pledge")
    standing_teams = K9Team.objects.filter(pledge=OuterRef("pk"), withdrawn_at__isnull=True).values("pledge")
    pledges = req.pledges.exclude(status=Pledge.Status.DRAFT).annotate(
        offered=Coalesce(Subquery(standing_lines.annotate(n=Sum("officers_offered")).values("n")), 0),
        teams=Coalesce(Subquery(standing_teams.annotate(n=Count("id")).values("n")), 0),
    )
    return page(request, "staff/request_detail.html", {
        "operation": req.operation, "section": "requests", "req": req, "lines": lines, "pledges": pledges,
        "history": request_history(req), "reason_form": ReasonForm(),
    })  # fmt: skip


# What a request's history tells, in this order (simple-history's own diff skips non-editable fields like status).
HISTORY_FIELDS = ("status", "status_reason", "country", "authority", "response_due", "period_start", "period_end",
                  "message", "internal_notes")  # fmt: skip


def request_history(req, limit=60):
    """The request's and its lines' history, newest first, with what changed in words."""
    entries = []
    records = list(req.history.select_related("history_user").order_by("-history_date")[: limit + 1])[::-1]
    previous = None
    for record in records:
        if previous is None:
            change = _("created (%(status)s)") % {"status": record.get_status_display()}
        else:
            parts = []
            for field in HISTORY_FIELDS:
                new = getattr(record, field)
                if new == getattr(previous, field):
                    continue
                if field == "status":
                    parts.append(_("status → %(s)s") % {"s": Status(new).label})
                elif field == "status_reason":
                    if new:
                        parts.append(_("reason: %(r)s") % {"r": new})
                else:
                    parts.append(str(req._meta.get_field(field).verbose_name))
            change = ", ".join(parts) or _("saved")
        if previous is not None or len(records) <= limit:
            entries.append(
                {"when": record.history_date, "who": record.history_user, "what": _("Request"), "change": change}
            )
        previous = record
    line_history = RequestLine.history.filter(request_id=req.pk).select_related("history_user", "specialty")
    for record in line_history.order_by("-history_date")[:limit]:
        verb = {"+": _("added"), "~": _("changed"), "-": _("removed")}[record.history_type]
        entries.append({
            "when": record.history_date, "who": record.history_user, "what": _("Line"),
            "change": f"{record.specialty.name} × {record.quantity} {verb}",
        })  # fmt: skip
    return sorted(entries, key=lambda e: e["when"], reverse=True)


def _request_form(request, operation, instance=None):
    specialties = Specialty.objects.all()
    lines = {line.specialty_id: line.quantity for line in instance.lines.all()} if instance else None
    return RequestForm(
        request.POST or None, instance=instance, specialties=specialties, lines=lines,
        initial=None if instance else {
            "period_start": operation.starts_on, "period_end": operation.ends_on, "authority": "interior",
        },
    )  # fmt: skip


@staff_page
def request_create(request, op):
    operation = operation_of(request, op)
    form = _request_form(request, operation)
    if request.method == "POST" and form.is_valid():
        req = attempt(
            request, transitions.create_request, form=form, lines=form.lines(), operation=operation,
            success=_("Request created as a draft."), **form.changes(),
        )  # fmt: skip
        if req:
            return redirect("request_detail", req.pk)
    return page(request, "staff/request_form.html", {
        "operation": operation, "section": "requests", "form": form, "req": None,
    })  # fmt: skip


@staff_page
def request_edit(request, pk):
    req = get_object_or_404(visible_requests(request.user).select_related("operation"), pk=pk)
    form = _request_form(request, req.operation, instance=ReinforcementRequest.objects.get(pk=req.pk))
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request, transitions.amend_request, req.pk, form=form, lines=form.lines(),
            success=_("Request saved.") if req.is_draft else _("Request amended; the country's liaisons are told."),
            **form.changes(),
        )  # fmt: skip
        if done:
            return redirect("request_detail", req.pk)
    return page(request, "staff/request_form.html", {
        "operation": req.operation, "section": "requests", "form": form, "req": req,
    })  # fmt: skip


MOVES = {
    "send": (transitions.send_request, False),
    "cancel": (transitions.cancel_request, True),
    "close": (transitions.close_request, False),
}


@require_POST
@staff_page
def request_move(request, pk, move):
    if move not in MOVES:
        raise Http404
    req = get_object_or_404(visible_requests(request.user), pk=pk)
    function, needs_reason = MOVES[move]
    kwargs = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    done = {
        "send": _("Request sent; the country's liaisons are told."),
        "cancel": _("Request cancelled."),
        "close": _("Request closed."),
    }[move]
    attempt(request, function, req.pk, success=done, **kwargs)
    return redirect("request_detail", req.pk)

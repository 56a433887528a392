"""Venues, needs, the deployment planner, assignments and coverage. Moves go through deployments.transitions."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import pycountry
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from deployments import transitions
from deployments.clock import reference_instant
from deployments.forms import (
    AssignmentFilterForm,
    AssignmentForm,
    CancelForm,
    LongSelect,
    MoveForm,
    NeedForm,
    VenueForm,
)
from deployments.models import Assignment, VenueNeed
from deployments.queries import (
    coverage_grid,
    planner_lines,
    planner_teams,
    planner_timeline,
    visible_assignments,
    visible_needs,
    visible_venues,
)
from pledges.models import K9Team, PledgeLine
from reinforcements import freshness
from reinforcements.country_order import by_country_name
from reinforcements.history import save_by
from reinforcements.models import Specialty
from reinforcements.roles import is_coordinator
from reinforcements.templatetags.staff import country_label, hm, when
from reinforcements.web import apply_errors, attempt, export, export_time, operation_of, page, paginate, staff_page

# ---- venues and needs ---------------------------------------------------------------------------


@staff_page
def venue_list(request, op):
    operation = operation_of(request, op)
    venues = visible_venues(request.user).filter(operation=operation).annotate(need_count=Count("needs"))
    return page(request, "deployments/venue_list.html", {
        "operation": operation, "section": "venues", "page_obj": paginate(request, venues.order_by("code")),
    })  # fmt: skip


def _save_venue(request, form, operation):
    venue = form.save(commit=False)
    venue.operation = operation
    try:
        venue.validate_constraints()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return save_by(venue, request.user)


@staff_page
def venue_create(request, op):
    operation = operation_of(request, op)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (venue := _save_venue(request, form, operation)):
        return redirect("venue_detail", venue.pk)
    return page(request, "deployments/venue_form.html", {
        "operation": operation, "section": "venues", "form": form, "venue": None,
    })  # fmt: skip


def _visible_venue(request, pk):
    return get_object_or_404(visible_venues(request.user).select_related("operation"), pk=pk)


@staff_page
def venue_edit(request, pk):
    venue = _visible_venue(request, pk)
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid() and _save_venue(request, form, venue.operation):
        return redirect("venue_detail", venue.pk)
    return page(request, "deployments/venue_form.html", {
        "operation": venue.operation, "section": "venues", "form": form, "venue": venue,
    })  # fmt: skip


@staff_page
def venue_detail(request, pk):
    venue = _visible_venue(request, pk)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        need = form.save(commit=False)
        need.venue = venue
        save_by(need, request.user)
        return redirect("venue_detail", venue.pk)
    needs = venue.needs.select_related("specialty").order_by("starts_at", "specialty")
    return page(request, "deployments/venue_detail.html", {
        "operation": venue.operation, "section": "venues", "venue": venue, "form": form,
        "page_obj": paginate(request, needs),
    })  # fmt: skip


@staff_page
def need_edit(request, pk):
    need = get_object_or_404(visible_needs(request.user).select_related("venue__operation"), pk=pk)
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST":
        if request.POST.get("delete"):
            need._history_user = request.user
            need.delete()
            return redirect("venue_detail", need.venue_id)
        if form.is_valid():
            save_by(form.save(commit=False), request.user)
            return redirect("venue_detail", need.venue_id)
    return page(request, "deployments/need_form.html", {
        "operation": need.venue.operation, "section": "venues", "form": form, "need": need,
    })  # fmt: skip


# ---- the planner ----------------------------------------------------------------------------------


def _day_window(day: dt.date, tz: str):
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time.min, zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone)
    return start, end


def _hours(start, end):
    """The hours of a local day as UTC-stepped instants: 23 or 25 of them on the clock-change days."""
    utc = zoneinfo.ZoneInfo("UTC")
    out, t = [], start.astimezone(utc)
    while t < end:
        out.append((t, t + dt.timedelta(hours=1)))
        t += dt.timedelta(hours=1)
    return out


def _chosen_day(request, name, operation):
    """The day a page was asked for (`?day=`, `?from=`) inside the operation; else the reference day
    (deployments/clock.py) and the line saying why it is not today, if it is not."""
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        reference = reference_instant(operation)
        return reference.day, reference.note
    return min(max(day, operation.starts_on), operation.ends_on), ""


SOURCE_LIMIT = 100  # officer lines, and K9 teams, offered at most in the planner's "Who" list


def _sources(operation, day, start, end, specialties, free_lines, *, specialty=None, search="", selected=""):
    """Choices for the assignment form: accepted capacity still free on the whole day. A Games day has
    hundreds of lines and thousands of teams: at most SOURCE_LIMIT of each are offered, those of
    `specialty` and matching `search` (a country, a specialty, a handler or a dog), plus the `selected`
    one (`free_lines`: planner_lines of the day). Returns the option groups, and notes saying what was left
    out and how to reach it."""
    needle = search.casefold()
    names = {s.pk: s.name for s in specialties.values()}
    free_text, busy_text = _("%(free)s of %(n)s free"), _("busy %(times)s")
    lines = []
    for row in free_lines:
        if row["free"] <= 0 or (specialty and row["specialty_id"] != specialty.pk):
            continue
        label = (f"{country_label(row['country'])} · {names[row['specialty_id']]} · "
                 + free_text % {"free": row["free"], "n": row["officers_accepted"]})  # fmt: skip
        if not needle or needle in label.casefold() or needle == row["country"].casefold():
            lines.append((f"line:{row['id']}", label))
    lines.sort(key=lambda c: c[1])
    line_choices = lines[:SOURCE_LIMIT] + [c for c in lines[SOURCE_LIMIT:] if c[0] == selected]

    teams, team_total = [], 0
    if specialty is None or specialty.is_canine:
        matching = [c.alpha_2 for c in pycountry.countries if needle in country_label(c.alpha_2).casefold()
                    or needle == c.alpha_2.casefold()] if needle else []  # fmt: skip
        filters = {"detection": specialty.code.removeprefix("k9_") if specialty else None,
                   "search": needle, "countries": matching}  # fmt: skip
        teams, team_total = planner_teams(operation.pk, day, start, end, limit=SOURCE_LIMIT, **filters)
        kind, _sep, pk = selected.partition(":")
        if kind == "team" and pk.isdigit() and int(pk) not in {t["id"] for t in teams}:
            teams += planner_teams(operation.pk, day, start, end, ids=[int(pk)])[0]
    detections = {key: str(label) for key, label in K9Team.Detection.choices}
    team_choices = [
        (f"team:{team['id']}", f"{country_label(team['country'])} · {team['handler_name']} & {team['dog_name']} · "
         f"{detections.get(team['detection'], team['detection'])}"
         + (" · " + busy_text % {"times": ", ".join(f"{hm(s)}–{hm(e)}" for s, e in team["busy"])}
            if team["busy"] else ""))
        for team in teams
    ]  # fmt: skip
    groups, notes = [], []
    if line_choices:
        groups.append((_("Officers (free all day)"), line_choices))
    if team_choices:
        groups.append((_("K9 teams available this day"), team_choices))
    if len(lines) > SOURCE_LIMIT:
        notes.append(_("The first %(shown)s of %(total)s officer lines are listed.")
                     % {"shown": SOURCE_LIMIT, "total": len(lines)})  # fmt: skip
    if team_total > SOURCE_LIMIT:
        notes.append(_("The first %(shown)s of %(total)s K9 teams are listed.")
                     % {"shown": SOURCE_LIMIT, "total": team_total})  # fmt: skip
    if notes:
        notes.append(_("Choose a specialty or search for a country, a handler or a dog to find the others."))
    return groups, notes


def _planner_assignments(venue, start, end, specialties) -> list[dict]:
    """The venue's assignments overlapping [start, end), as dicts ready for the planner's table (a busy
    venue has hundreds a day: values, and each label made once)."""
    by_id = {s.pk: s for s in specialties}
    by_code = {s.code: s for s in specialties}
    status_labels = dict(Assignment.Status.choices)
    rows = list(
        Assignment.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
        .values("pk", "status", "status_reason", "starts_at", "ends_at", "role", "quantity", "k9_team_id",
                country=F("pledge__request__country"), line_specialty=F("pledge_line__specialty_id"),
                handler=F("k9_team__handler_name"), dog=F("k9_team__dog_name"), detection=F("k9_team__detection"))
    )  # fmt: skip
    for a in rows:
        if a["k9_team_id"]:
            a["specialty"] = by_code.get(f"k9_{a['detection']}")
            what = f"{a['handler']} & {a['dog']}"
        else:
            a["specialty"] = by_id[a["line_specialty"]]
            what = f"{a['quantity']} × {a['specialty'].name}"
        a["who"] = f"{country_label(a['country'])}: {what}"
        a["from"], a["to"] = when(a["starts_at"]), when(a["ends_at"])
        a["status_label"] = status_labels[a["status"]]
        a["can_move"] = a["status"] in (Assignment.Status.PLANNED, Assignment.Status.CONFIRMED)
        a["can_cancel"] = a["status"] in Assignment.OPEN_STATUSES
    return rows


def _timeline_html(rows):
    """Each timeline row's cells as HTML, written here rather than by the template engine (a cell costs it
    about 0.1 ms): `·` where nothing is needed nor assigned, else assigned/needed, titled when short."""
    short = f' title="{conditional_escape(_("gap"))}"'

    def cell(c):
        if c["state"] == "none":
            return '<td class="none">·</td>'
        return f'<td class="{c["state"]}"{short if c["state"] == "short" else ""}>{c["assigned"]}/{c["needed"]}</td>'

    for row in rows:
        row["html"] = mark_safe("".join(map(cell, row["cells"])))  # numbers, fixed class names, an escaped title
    return rows


def _planner_reference(operation, day, start, end):
    """The specialties, and every accepted line's free officers on the day: the same for every planner
    page of that day until a watched row changes (reinforcements.freshness)."""

    def compute():
        return {"specialties": list(Specialty.objects.all()), "lines": planner_lines(operation.pk, day, start, end)}

    return freshness.cached("planner", operation.pk, day.isoformat(), compute=compute)


def _planner_context(request, operation, venues, venue, day, form=None):
    start, end = _day_window(day, operation.timezone)
    hours = _hours(start, end)
    reference = _planner_reference(operation, day, start, end)
    specialties = {s.code: s for s in reference["specialties"]}
    params = request.POST if request.method == "POST" else request.GET
    specialty = specialties.get(params.get("specialty", ""))
    search = params.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL takes no NUL in a text
    needs = list(
        VenueNeed.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start).select_related("specialty")
    )
    assignments = _planner_assignments(venue, start, end, reference["specialties"])
    on_duty = [(a["specialty"], a["starts_at"], a["ends_at"], a["quantity"] or 1)
               for a in assignments if a["status"] != Assignment.Status.CANCELLED]  # fmt: skip
    if form is None:
        local = start.replace(tzinfo=None)
        form = AssignmentForm(initial={"starts_at": local.replace(hour=8), "ends_at": local.replace(hour=16)})
    sources, sources_notes = _sources(
        operation, day, start, end, specialties, reference["lines"], specialty=specialty, search=search,
        selected=form.data.get("source", "") if form.is_bound else "",
    )  # fmt: skip
    form.offer(sources)
    return {
        "operation": operation, "section": "planner", "venue": venue, "day": day,
        "prev_day": day - dt.timedelta(days=1) if day > operation.starts_on else None,
        "next_day": day + dt.timedelta(days=1) if day < operation.ends_on else None,
        "venue_select": LongSelect(choices=[(v.code, f"{v.code} · {v.name}") for v in venues]).render("venue", venue.code),
        "specialties": specialties.values(), "specialty": specialty, "search": search,
        "hours": [timezone.localtime(h[0]) for h in hours],
        "timeline": _timeline_html(planner_timeline(needs, on_duty, hours)),
        "assignments": assignments, "form": form, "sources_notes": sources_notes, "cancel_form": CancelForm(),
    }  # fmt: skip


def _planner_venues(request, operation):
    return list(visible_venues(request.user).filter(operation=operation).order_by("code"))


@staff_page
def planner(request, op):
    operation = operation_of(request, op)
    venues = _planner_venues(request, operation)
    venue = next((v for v in venues if v.code == request.GET.get("venue", "")), venues[0] if venues else None)
    if venue is None:
        return page(request, "deployments/planner.html", {"operation": operation, "section": "planner", "venue": None})
    day, clock_note = _chosen_day(request, "day", operation)
    context = _planner_context(request, operation, venues, venue, day)
    return page(request, "deployments/planner.html", {**context, "clock_note": clock_note})


def _planner_url(venue, day, anchor=""):
    return reverse("planner", args=[venue.operation.code]) + "?" + urlencode({"venue": venue.code, "day": day}) + anchor


def _source_of(operation, value):
    kind, pk = value.split(":")
    if kind == "line":
        return {"pledge_line": get_object_or_404(PledgeLine, pk=pk, pledge__request__operation=operation)}
    return {"k9_team": get_object_or_404(K9Team, pk=pk, pledge__request__operation=operation)}


@require_POST
@staff_page
def assignment_create(request, op):
    operation = operation_of(request, op)
    venues = _planner_venues(request, operation)
    venue = next((v for v in venues if v.code == request.POST.get("venue")), None)
    if venue is None:
        raise Http404
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = operation.starts_on
    form = AssignmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        source = _source_of(operation, data["source"])
        created = attempt(
            request, transitions.create_assignment, form=form, venue=venue, starts_at=data["starts_at"],
            ends_at=data["ends_at"], role=data["role"], quantity=data["quantity"], **source,
            success=_("Assignment planned; the country's liaisons are told."),
        )  # fmt: skip
        if created:
            return redirect(_planner_url(venue, day, f"#a{created.pk}"))
    context = _planner_context(request, operation, venues, venue, day, form=form)
    return page(request, "deployments/planner.html", context)


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
        attempt(
            request, transitions.move_assignment, assignment.pk, starts_at=data["starts_at"],
            ends_at=data["ends_at"], quantity=data["quantity"], role=data["role"],
            success=_("Assignment moved; the country confirms it again."),
        )  # fmt: skip
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


# ---- assignments list, exports, coverage -------------------------------------------------------------


def _assignment_queryset(request, operation, form):
    qs = (
        visible_assignments(request.user)
        .filter(venue__operation=operation)
        .select_related("venue", "pledge__request", "pledge_line__specialty", "k9_team")
        .order_by("starts_at", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["venue"]:
            qs = qs.filter(venue=data["venue"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["country"]:
            qs = qs.filter(pledge__request__country=data["country"])
        if data["day"]:
            start, end = _day_window(data["day"], operation.timezone)
            qs = qs.filter(starts_at__lt=end, ends_at__gt=start)
        if data["sort"]:
            by_name = by_country_name("pledge__request__country", descending=data["sort"] == "-country")
            qs = qs.order_by(by_name, "starts_at", "pk")
    return qs


def _assignment_filter(request, operation):
    venues = visible_venues(request.user).filter(operation=operation).order_by("code")
    return AssignmentFilterForm(request.GET or None, venues=venues)


@staff_page
def assignment_list(request, op):
    operation = operation_of(request, op)
    form = _assignment_filter(request, operation)
    return page(request, "deployments/assignment_list.html", {
        "operation": operation, "section": "assignments", "form": form,
        "page_obj": paginate(request, _assignment_queryset(request, operation, form)),
        "export_url": reverse("assignment_export", args=[operation.code]), "htmx_partial": "results",
    })  # fmt: skip


@staff_page
def assignment_export(request, op):
    operation = operation_of(request, op)
    form = _assignment_filter(request, operation)
    headers = [_("Assignment"), _("Venue"), _("Country"), _("Country code"), _("Specialty"), _("Officers"),
               pgettext("label", "K9 team"), _("Starts at"), _("Ends at"), _("Role"), _("Status")]  # fmt: skip
    rows = (
        [a.pk, a.venue.code, country_label(a.pledge.request.country), a.pledge.request.country,
         a.pledge_line.specialty.code if a.pledge_line_id else f"k9_{a.k9_team.detection}",
         a.quantity or "", str(a.k9_team) if a.k9_team_id else "", export_time(a.starts_at), export_time(a.ends_at),
         a.role, a.get_status_display()]
        for a in _assignment_queryset(request, operation, form).iterator(chunk_size=2000)
    )  # fmt: skip
    return export(request, f"assignments-{operation.code}", headers, rows)


@staff_page
def coverage(request, op):
    """Venue × specialty × day: the worst need of each cell, assigned against needed."""
    operation = operation_of(request, op)
    first, clock_note = _chosen_day(request, "from", operation)
    days = [first + dt.timedelta(days=i) for i in range(7) if first + dt.timedelta(days=i) <= operation.ends_on]
    start, _end = _day_window(days[0], operation.timezone)
    _start, end = _day_window(days[-1], operation.timezone)
    venues_page = paginate(request, visible_venues(request.user).filter(operation=operation).order_by("code"), 25)
    venue_ids = [v.pk for v in venues_page]
    cells = defaultdict(dict)
    for row in coverage_grid(operation.pk, starts=start, ends=end):
        if row["venue_id"] not in venue_ids:
            continue
        day = timezone.localtime(row["starts_at"]).date()
        cell = cells[row["venue_id"], row["specialty_id"]].get(day)
        if cell is None or row["assigned"] - row["quantity"] < cell["assigned"] - cell["quantity"]:
            cells[row["venue_id"], row["specialty_id"]][day] = row
    specialties = Specialty.objects.in_bulk()
    rows = []
    for venue in venues_page:
        for (venue_id, specialty_id), by_day in sorted(cells.items(), key=lambda c: specialties[c[0][1]].code):
            if venue_id == venue.pk:
                rows.append({"venue": venue, "specialty": specialties[specialty_id],
                             "cells": [by_day.get(d) for d in days]})  # fmt: skip
    return page(request, "deployments/coverage.html", {
        "operation": operation, "section": "coverage", "days": days, "rows": rows, "page_obj": venues_page,
        "clock_note": clock_note,
        "prev_from": days[0] - dt.timedelta(days=7) if days[0] > operation.starts_on else None,
        "next_from": days[-1] + dt.timedelta(days=1) if days[-1] < operation.ends_on else None,
    })  # fmt: skip

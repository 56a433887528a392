"""The deployment planner: one venue's day, its needs against who is on duty, and placing people."""

import datetime as dt
import zoneinfo

import pycountry
from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import freshness
from core.countries import country_label
from core.pages import attempt, page, staff_page
from core.templatetags.staff import hm, when
from deployments import transitions
from deployments.conflicts import conflicting_ids
from deployments.filters import day_window
from deployments.forms import AssignmentForm, CancelForm, LongSelect
from deployments.models import Assignment
from deployments.queries import planner_lines, planner_teams, planner_timeline, visible_venues
from deployments.views.days import chosen_day
from pledges.models import K9Team, PledgeLine
from reinforcements.models import Specialty
from reinforcements.queries import operation_of


def _hours(start, end):
    """The hours of a local day as UTC-stepped instants: 23 or 25 of them on the clock-change days."""
    utc = zoneinfo.ZoneInfo("UTC")
    out, t = [], start.astimezone(utc)
    while t < end:
        out.append((t, t + dt.timedelta(hours=1)))
        t += dt.timedelta(hours=1)
    return out


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


def _planner_assignments(operation, venue, start, end, specialties) -> list[dict]:
    """The venue's assignments overlapping [start, end), as dicts ready for the planner's table (a busy
    venue has hundreds a day: values, and each label made once)."""
    by_id = {s.pk: s for s in specialties}
    by_code = {s.code: s for s in specialties}
    status_labels = dict(Assignment.Status.choices)
    rows = list(
        Assignment.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
        .values("pk", "status", "status_reason", "starts_at", "ends_at", "role", "quantity", "k9_team_id", "pledge_line_id",
                country=F("pledge__request__country"), line_specialty=F("pledge_line__specialty_id"),
                handler=F("k9_team__handler_name"), dog=F("k9_team__dog_name"), detection=F("k9_team__detection"))
    )  # fmt: skip
    # The conflicts these sources are part of (SPEC §10), marked on their cells: one statement per rule.
    marks = conflicting_ids(
        operation,
        teams={a["k9_team_id"] for a in rows if a["k9_team_id"]},
        lines={a["pledge_line_id"] for a in rows if a["pledge_line_id"]},
    )
    for a in rows:
        a["conflict"] = " ".join(marks.get(a["pk"], []))
        if a["k9_team_id"]:
            a["specialty"] = by_code.get(f"k9_{a['detection']}")
            what = f"{a['handler']} & {a['dog']}"
        else:
            a["specialty"] = by_id[a["line_specialty"]]
            what = f"{a['quantity']} × {a['specialty'].name}"
        a["who"] = f"{country_label(a['country'])}: {what}"
        a["from"], a["to"] = when(a["starts_at"]), when(a["ends_at"])
        a["status_label"] = status_labels[a["status"]]
        a["can"] = Assignment.moves_from(a["status"])
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
    page of that day until a watched row changes (core.freshness)."""

    def compute():
        return {"specialties": list(Specialty.objects.all()), "lines": planner_lines(operation.pk, day, start, end)}

    return freshness.cached("planner", operation.pk, day.isoformat(), compute=compute)


def _planner_context(request, operation, venues, venue, day, form=None):
    start, end = day_window(day, operation.timezone)
    hours = _hours(start, end)
    reference = _planner_reference(operation, day, start, end)
    specialties = {s.code: s for s in reference["specialties"]}
    params = request.POST if request.method == "POST" else request.GET
    specialty = specialties.get(params.get("specialty", ""))
    search = params.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL takes no NUL in a text
    assignments = _planner_assignments(operation, venue, start, end, reference["specialties"])
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
        "timeline": _timeline_html(planner_timeline(venue.pk, hours, {s.pk: s for s in reference["specialties"]})),
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
    day, clock_note = chosen_day(request, "day", operation)
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
            for warning in created.warnings:  # rules in `warn` mode: placed, and listed as conflicts
                messages.warning(request, warning.message)
            return redirect(_planner_url(venue, day, f"#a{created.pk}"))
    context = _planner_context(request, operation, venues, venue, day, form=form)
    return page(request, "deployments/planner.html", context)

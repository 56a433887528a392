"""The deployment planner: one venue's day, its needs against who is on duty, and placing people."""

import datetime as dt
import zoneinfo

import pycountry
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import freshness
from core.countries import country_label
from core.errors import DomainError
from core.pages import apply_errors, attempt, page, staff_page
from core.roles import is_coordinator
from core.templatetags.staff import hm, when
from deployments import bulk, transitions
from deployments.conflicts import conflicting_ids
from deployments.filters import day_window
from deployments.forms import AssignmentForm, BulkForm, CancelForm, CopyDayForm, LongSelect
from deployments.models import Assignment, VenueNeed
from deployments.queries import planner_lines, planner_teams, planner_timeline, visible_venues
from deployments.requirements import speaks_one
from deployments.views.days import chosen_day
from deployments.views.planner_rows import rows_html
from pledges.models import K9Team, PledgeLine, legal_status_text
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


def _asked_languages(venue, start, end) -> dict[int, set[str]]:
    """The languages the venue's needs of the day ask for, by specialty id (SPEC §10: one of them must be
    spoken by those who cover the need)."""
    asked = {}
    needs = VenueNeed.objects.filter(venue=venue, starts_at__lt=end, ends_at__gt=start).exclude(languages=[])
    for specialty_id, languages in needs.values_list("specialty_id", "languages"):
        asked.setdefault(specialty_id, set()).update(languages)
    return asked


def _language_match(spoken, asked) -> tuple[int, str]:
    """A line's rank in the "Who" list against the languages its specialty's needs ask for (0: speaks one,
    1: nothing asked, 2: speaks none, refused as language_mismatch), and the note its label carries."""
    if not asked:
        return 1, ""
    if speaks_one(spoken, asked):
        return 0, "✓ " + _("speaks %(languages)s") % {"languages": " / ".join(sorted(set(spoken) & asked))}
    return 2, "✗ " + _("speaks none of %(languages)s") % {"languages": " / ".join(sorted(asked))}


def _sources(operation, day, start, end, specialties, free_lines, *, specialty=None, search="", selected="",
             asked=None):  # fmt: skip
    """Choices for the assignment form: accepted capacity still free on the whole day. A Games day has
    hundreds of lines and thousands of teams: at most SOURCE_LIMIT of each are offered, those of
    `specialty` and matching `search` (a country, a specialty, a handler or a dog), plus the `selected`
    one (`free_lines`: planner_lines of the day). Lines that speak a language the venue's needs of their
    specialty ask for (`asked`, by specialty id) come first, those that speak none of them last, each
    labelled with the match. Returns the option groups, and notes saying what was left out and how to
    reach it."""
    needle = search.casefold()
    names = {s.pk: s.name for s in specialties.values()}
    asked = asked or {}
    free_text, busy_text = _("%(free)s of %(n)s free"), _("busy %(times)s")
    lines = []
    for row in free_lines:
        if row["free"] <= 0 or (specialty and row["specialty_id"] != specialty.pk):
            continue
        rank, match = _language_match(row["languages"], asked.get(row["specialty_id"]))
        legal = legal_status_text(row["legal_status"], row["armed"], row["powers"])
        label = (f"{country_label(row['country'])} · {names[row['specialty_id']]} · {legal} · "
                 + free_text % {"free": row["free"], "n": row["officers_accepted"]}
                 + (f" · {match}" if match else ""))  # fmt: skip
        if not needle or needle in label.casefold() or needle == row["country"].casefold():
            lines.append((rank, f"line:{row['id']}", label))
    lines.sort()
    lines = [(value, label) for _rank, value, label in lines]
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
         f"{detections.get(team['detection'], team['detection'])} · "
         f"{legal_status_text(team['legal_status'], team['armed'], team['powers'])}"
         + (" · " + busy_text % {"times": ", ".join(f"{hm(s)}–{hm(e)}" for s, e in team["busy"])}
            if team["busy"] else "")
         + _not_ready_mark(team, day))
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


def _not_ready_mark(team, day) -> str:
    """The "not ready" mark of a K9 team in the Who list: placing it that day is refused (`k9_not_ready`)."""
    if team["missing"]:
        return " · " + _("NOT READY: missing %(missing)s") % {"missing": ", ".join(team["missing"])}
    if team["ready_from"] > day:
        return " · " + _("NOT READY until %(date)s") % {"date": team["ready_from"]}
    return ""


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
                handler=F("k9_team__handler_name"), dog=F("k9_team__dog_name"), detection=F("k9_team__detection"),
                legal_status=Coalesce("pledge_line__legal_status", "k9_team__legal_status"),
                armed=Coalesce("pledge_line__armed", "k9_team__armed"),
                powers=Coalesce("pledge_line__powers", "k9_team__powers"))
    )  # fmt: skip
    # The conflicts these sources are part of (SPEC §10), marked on their cells: one statement per rule.
    marks = conflicting_ids(
        operation,
        teams={a["k9_team_id"] for a in rows if a["k9_team_id"]},
        lines={a["pledge_line_id"] for a in rows if a["pledge_line_id"]},
        start=start, end=end,
    )  # fmt: skip
    for a in rows:
        a["conflict"] = " ".join(marks.get(a["pk"], []))
        if a["k9_team_id"]:
            a["specialty"] = by_code.get(f"k9_{a['detection']}")
            what = f"{a['handler']} & {a['dog']}"
        else:
            a["specialty"] = by_id[a["line_specialty"]]
            what = f"{a['quantity']} × {a['specialty'].name}"
        a["who"] = f"{country_label(a['country'])}: {what}"
        a["legal"] = legal_status_text(a["legal_status"], a["armed"], a["powers"])
        a["from"], a["to"] = when(a["starts_at"]), when(a["ends_at"])
        a["status_label"] = status_labels[a["status"]]
        a["can"] = Assignment.moves_from(a["status"])
        a["has_started"] = Assignment.start_passed(a["starts_at"])  # a no-show only once the shift began
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


def _planner_context(request, operation, venues, venue, day, form=None, bulk_form=None, copy_form=None, report=None):
    start, end = day_window(day, operation.timezone)
    hours = _hours(start, end)
    reference = _planner_reference(operation, day, start, end)
    specialties = {s.code: s for s in reference["specialties"]}
    params = request.POST if request.method == "POST" else request.GET
    specialty = specialties.get(params.get("specialty", ""))
    search = params.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL takes no NUL in a text
    assignments = _planner_assignments(operation, venue, start, end, reference["specialties"])
    rows_html(request, assignments, can_edit=is_coordinator(request.user))
    if form is None:
        local = start.replace(tzinfo=None)
        form = AssignmentForm(initial={"starts_at": local.replace(hour=8), "ends_at": local.replace(hour=16)})
    sources, sources_notes = _sources(
        operation, day, start, end, specialties, reference["lines"], specialty=specialty, search=search,
        selected=form.data.get("source", "") if form.is_bound else "", asked=_asked_languages(venue, start, end),
    )  # fmt: skip
    form.offer(sources)
    if bulk_form is None:
        bulk_form = BulkForm(prefix="bulk", initial={
            "from_time": dt.time(8), "to_time": dt.time(20), "from_date": day, "to_date": day, "mode": bulk.ALL,
        })  # fmt: skip
    bulk_form.offer(sources)
    next_day = min(day + dt.timedelta(days=1), operation.ends_on)
    copy_form = copy_form or CopyDayForm(prefix="copy", initial={"from_date": next_day, "to_date": next_day})
    return {
        "operation": operation, "section": "planner", "venue": venue, "day": day,
        "prev_day": day - dt.timedelta(days=1) if day > operation.starts_on else None,
        "next_day": day + dt.timedelta(days=1) if day < operation.ends_on else None,
        "venue_select": LongSelect(choices=[(v.code, f"{v.code} · {v.name}") for v in venues]).render("venue", venue.code),
        "specialties": specialties.values(), "specialty": specialty, "search": search,
        "hours": [timezone.localtime(h[0]) for h in hours],
        "timeline": _timeline_html(planner_timeline(venue.pk, hours, {s.pk: s for s in reference["specialties"]})),
        "assignments": assignments, "form": form, "sources_notes": sources_notes, "cancel_form": CancelForm(),
        "bulk_form": bulk_form, "copy_form": copy_form, "report": report,
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


def _posted_place(request, operation):
    """The venue and day a planner form was posted from (hidden fields)."""
    venues = _planner_venues(request, operation)
    venue = next((v for v in venues if v.code == request.POST.get("venue")), None)
    if venue is None:
        raise Http404
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = operation.starts_on
    return venues, venue, day


@require_POST
@staff_page
def assignment_create(request, op):
    operation = operation_of(request, op)
    venues, venue, day = _posted_place(request, operation)
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


def _report(request, form, place, **kwargs) -> dict | None:
    """Run a bulk placement (deployments.bulk); what it placed and what it refused, day by day, for the
    page. A refusal of the whole (mode all) lists the days too; bad input goes on the form's fields."""
    tz = zoneinfo.ZoneInfo(kwargs["venue"].operation.timezone)
    try:
        result = place(actor=request.user, **kwargs)
    except bulk.BulkRefused as refused:
        form.add_error(None, refused.message)
        return {"placed": [], "refused": refused.refused, "all_refused": True}
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return None
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    placed = [
        {"pk": a.pk, "date": a.starts_at.astimezone(tz).date(), "from": when(a.starts_at), "to": when(a.ends_at),
         "who": str(a.k9_team or f"{a.quantity} × {a.pledge_line}")}
        for a in result.placed
    ]  # fmt: skip
    if result.preview and result.refused and kwargs.get("mode") == bulk.ALL:
        return {"placed": [], "refused": result.refused, "all_refused": True, "preview": True}
    n = len(placed)
    if result.preview:
        message = ngettext(
            "Preview, nothing is placed yet: %(n)s assignment would be planned.",
            "Preview, nothing is placed yet: %(n)s assignments would be planned.", n,
        ) % {"n": n}  # fmt: skip
    else:
        message = ngettext(
            "%(n)s assignment planned; each country's liaisons get one message.",
            "%(n)s assignments planned; each country's liaisons get one message.", n,
        ) % {"n": n}  # fmt: skip
    return {"placed": placed, "refused": result.refused, "message": message, "preview": result.preview}


@require_POST
@staff_page
def assignment_bulk(request, op):
    """“Place on several days”: one source, a daily window, a range of days (SPEC §10)."""
    operation = operation_of(request, op)
    venues, venue, day = _posted_place(request, operation)
    form, report = BulkForm(request.POST, prefix="bulk"), None
    if form.is_valid():
        data = form.cleaned_data
        report = _report(
            request, form, bulk.place_on_days, venue=venue, role=data["role"], quantity=data["quantity"],
            from_time=data["from_time"], to_time=data["to_time"], from_date=data["from_date"],
            to_date=data["to_date"], weekdays=data["weekdays"], mode=data["mode"], preview="preview" in request.POST,
            **_source_of(operation, data["source"]),
        )  # fmt: skip
    context = _planner_context(request, operation, venues, venue, day, bulk_form=form, report=report)
    return page(request, "deployments/planner.html", context)


@require_POST
@staff_page
def venue_day_copy(request, op):
    """“Copy this venue's day to …”: every live assignment of the shown day, on each chosen day, mode fit."""
    operation = operation_of(request, op)
    venues, venue, day = _posted_place(request, operation)
    form, report = CopyDayForm(request.POST, prefix="copy"), None
    if form.is_valid():
        data = form.cleaned_data
        report = _report(
            request, form, bulk.copy_venue_day, venue=venue, day=day, from_date=data["from_date"],
            to_date=data["to_date"], weekdays=data["weekdays"], mode=bulk.FIT, preview="preview" in request.POST,
        )  # fmt: skip
    context = _planner_context(request, operation, venues, venue, day, copy_form=form, report=report)
    return page(request, "deployments/planner.html", context)

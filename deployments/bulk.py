"""Bulk placement (SPEC §10): one source over a range of days, and copying a venue's day.

One pass, every rule: each source (line or team) is locked once, at its first day, as a single
placement locks it (transitions.lock_source: the pledge FOR SHARE, then the source), in the order
the days come, so two bulk placements wait for each other rather than deadlock. Its live assignments
over the whole range are read once into a timeline (deployments.rules.timeline), and the venue's
needs once (a rule's memo). Then each day is judged by the rule engine itself
(transitions.checked_assignment: the rules in deployments.rules, the only judge, the same as for a
single placement) against that timeline; a day accepted joins it, so day 30 is judged knowing days
1–29. Nothing of a rule is repeated here. What was accepted is written at once: one INSERT of the
assignments, one of their history rows (who, when: core.history.create_all_by), one of the hooks'
deliveries; the K9 exclusion constraint still backs the overlap rule.

- mode `all`: a day that breaks a rule and nothing is written (BulkRefused, a 409 naming each refused
  day and its rule).
- mode `fit`: the refused days are reported, the others placed.
- preview: the same checks, nothing written, nobody told.

The country's liaisons get one message for the whole placement, not one per day.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.countries import country_label
from core.errors import DomainError
from core.roles import require_coordinator
from deployments import transitions
from deployments.models import Assignment
from deployments.rules.timeline import Timeline
from notifications.outbox import liaisons_of, notify
from notifications.registry import LIAISON, link

ALL, FIT = "all", "fit"
MODES = (ALL, FIT)
# A Games runs about six weeks; a range longer than this is a typing slip, not a plan.
MAX_DAYS = 120
UTC = dt.UTC


@dataclass
class Refusal:
    date: dt.date
    code: str
    detail: str
    what: str = ""  # which assignment of the copied day, when copying

    def as_dict(self) -> dict:
        data = asdict(self)
        if not self.what:
            del data["what"]
        return data


@dataclass
class BulkResult:
    placed: list[Assignment]  # unsaved in a preview (their ids name nothing)
    refused: list[Refusal]
    preview: bool = False


class BulkRefused(DomainError):
    """Mode `all`: at least one day breaks a rule, so nothing was placed. `code` is the first
    refused day's rule; `refused` names every day and its rule."""

    def __init__(self, refused: list[Refusal]):
        days = ", ".join(dict.fromkeys(r.date.isoformat() for r in refused))
        n = len({r.date for r in refused})
        message = ngettext(
            "Nothing was placed: %(n)s day breaks a rule (%(days)s).",
            "Nothing was placed: %(n)s days break a rule (%(days)s).",
            n,
        ) % {"n": n, "days": days}
        super().__init__(message, code=refused[0].code)
        self.refused = refused


def days_of(operation, from_date, to_date, weekdays=None) -> list[dt.date]:
    """The days of [from_date, to_date] (inclusive) on the given ISO weekdays (1 = Monday … 7), or a
    ValidationError naming the field at fault. Checked before anything is written."""
    errors = {}
    weekdays = set(weekdays or ())
    if to_date < from_date:
        errors["to_date"] = _("The last day comes before the first.")
    elif (to_date - from_date).days + 1 > MAX_DAYS:
        errors["to_date"] = _("At most %(n)s days at a time.") % {"n": MAX_DAYS}
    if from_date < operation.starts_on or from_date > operation.ends_on:
        errors["from_date"] = _("The operation runs from %(s)s to %(e)s.") % {
            "s": operation.starts_on, "e": operation.ends_on,
        }  # fmt: skip
    if "to_date" not in errors and not operation.starts_on <= to_date <= operation.ends_on:
        errors["to_date"] = _("The operation runs from %(s)s to %(e)s.") % {
            "s": operation.starts_on, "e": operation.ends_on,
        }  # fmt: skip
    if any(not isinstance(day, int) or not 1 <= day <= 7 for day in weekdays):
        errors["weekdays"] = _("Weekdays go from 1 (Monday) to 7 (Sunday).")
    if errors:
        raise ValidationError(errors)
    days = [from_date + dt.timedelta(days=i) for i in range((to_date - from_date).days + 1)]
    days = [day for day in days if not weekdays or day.isoweekday() in weekdays]
    if not days:
        raise ValidationError({"weekdays": _("No day of the range falls on the chosen weekdays.")})
    return days


def shift_on(day: dt.date, from_time: dt.time, to_time: dt.time, tz: str, *, days_after=None):
    """The instants of a daily window on `day`, in the operation's time zone. A window whose end is not
    after its start crosses midnight and ends the next day (or `days_after` days later). In UTC, so
    that a shift over a clock change lasts its real hours (23:00–07:00 is 9 h on the autumn night)."""
    zone = zoneinfo.ZoneInfo(tz)
    if days_after is None:
        days_after = 1 if to_time <= from_time else 0
    start = dt.datetime.combine(day, from_time, zone).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=days_after), to_time, zone).astimezone(UTC)
    return start, end


def _place(actor, placements, *, mode: str, preview: bool = False) -> BulkResult:
    """`placements`: (day, label, placement keywords), in an order that locks sources consistently (day
    by day, the same sources in the same order), so two bulk placements wait for each other rather than
    deadlock. Each source is locked once, at its first placement, and its timeline read once for the
    whole range; each day is judged by every rule (transitions.checked_assignment) against that timeline,
    which the days accepted join. Then one write for them all.

    `preview`: every day checked as for real, nothing written and nobody told: what would be placed
    (unsaved) and what refused."""
    if mode not in MODES:
        raise ValidationError({"mode": _("Choose “all” or “fit”.")})
    spans = defaultdict(list)
    for _day, _label, kwargs in placements:
        spans[_source_key(kwargs)] += [kwargs["starts_at"], kwargs["ends_at"]]
    placed, refused, sources = [], [], {}
    with transaction.atomic():
        for day, label, kwargs in placements:
            key = _source_key(kwargs)
            try:
                if key not in sources:
                    sources[key] = _open_source(kwargs, spans[key])
                source, timeline = sources[key]
                if source is None:
                    raise timeline  # the source may not be placed at all: each of its days says why
                assignment = transitions.checked_assignment(
                    source, actor=actor, venue=kwargs["venue"], starts_at=kwargs["starts_at"],
                    ends_at=kwargs["ends_at"], role=kwargs["role"], quantity=kwargs.get("quantity"), timeline=timeline,
                )  # fmt: skip
            except DomainError as exc:
                refused.append(Refusal(date=day, code=exc.code, detail=str(exc.message), what=label))
                continue
            timeline.add(assignment)
            placed.append(assignment)
        if preview:
            transaction.set_rollback(True)
        elif refused and mode == ALL:
            raise BulkRefused(refused)
        elif placed:
            transitions.save_checked(placed, actor)
            tell_planned(actor, placed)
    return BulkResult(placed=placed, refused=refused, preview=preview)


def _source_key(kwargs) -> tuple:
    line, team = kwargs.get("pledge_line"), kwargs.get("k9_team")
    return ("line", getattr(line, "pk", line)) if line is not None else ("team", getattr(team, "pk", team))


def _open_source(kwargs, instants):
    """(the source locked, its timeline over the placement's range), or (None, the DomainError refusing it)."""
    try:
        source = transitions.lock_source(pledge_line=kwargs.get("pledge_line"), k9_team=kwargs.get("k9_team"))
    except DomainError as exc:
        return None, exc
    return source, Timeline.between(source, min(instants), max(instants))


def tell_planned(actor, placed: list[Assignment]) -> None:
    """One message per country for the whole placement, listing what was planned."""
    _tell_each_country(actor, placed, "assignments_planned")


def _tell_each_country(actor, assignments: list[Assignment], event: str, **context) -> None:
    """The digest of a move on many assignments: one message to each country's liaisons, listing theirs."""
    by_country = defaultdict(list)
    for assignment in assignments:
        by_country[assignment.pledge.request.country].append(assignment)
    for country, theirs in sorted(by_country.items()):
        notify(
            liaisons_of(country).exclude(pk=actor.pk), event, theirs[0],
            context={"assignments": theirs, **context}, url=link("deployments", LIAISON),
        )  # fmt: skip


def place_on_days(
    *, actor, venue, role="", pledge_line=None, quantity=None, k9_team=None,
    from_time, to_time, from_date, to_date, weekdays=None, mode=ALL, preview=False,
) -> BulkResult:  # fmt: skip
    """One source at one venue, the same daily window on each chosen day, by a coordinator.
    Planned assignments; the country's liaisons get one message. Mode `all` raises BulkRefused."""
    require_coordinator(actor)
    if (pledge_line is None) == (k9_team is None):
        raise ValidationError(_("Assign either officers of a pledge line (with a quantity) or one K9 team."))
    if pledge_line is not None and not quantity:
        raise ValidationError({"quantity": _("Assign at least one officer.")})
    if from_time == to_time:
        raise ValidationError({"to_time": _("The shift must end at another time than it starts.")})
    operation = venue.operation
    days = days_of(operation, from_date, to_date, weekdays)
    source = {"pledge_line": pledge_line, "quantity": quantity} if pledge_line is not None else {"k9_team": k9_team}
    placements = []
    for day in days:
        starts_at, ends_at = shift_on(day, from_time, to_time, operation.timezone)
        placements.append(
            (day, "", {"venue": venue, "starts_at": starts_at, "ends_at": ends_at, "role": role, **source})
        )
    return _place(actor, placements, mode=mode, preview=preview)


def day_to_copy(venue, day: dt.date):
    """The live assignments of the venue that start on `day` (local), in source order: lines, then teams."""
    zone = zoneinfo.ZoneInfo(venue.operation.timezone)
    start = dt.datetime.combine(day, dt.time.min, zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone)
    return list(
        Assignment.objects.filter(
            venue=venue, status__in=Assignment.OPEN_STATUSES, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("pledge__request", "pledge_line__specialty", "k9_team", "venue")
        .order_by("k9_team_id", "pledge_line_id", "starts_at", "pk")
    )


def copy_venue_day(*, actor, venue, day, from_date, to_date, weekdays=None, mode=FIT, preview=False) -> BulkResult:
    """Every live assignment of the venue starting on `day`, again on each chosen day (the shown day
    itself left out), same local times, role and quantity; by a coordinator. Mode `fit` by default."""
    require_coordinator(actor)
    operation = venue.operation
    zone = zoneinfo.ZoneInfo(operation.timezone)
    originals = day_to_copy(venue, day)
    if not originals:
        raise ValidationError({"day": _("No live assignment at this venue on this day: nothing to copy.")})
    days = [d for d in days_of(operation, from_date, to_date, weekdays) if d != day]
    if not days:
        raise ValidationError({"to_date": _("Choose other days than the one shown.")})
    placements = []
    for target in days:
        for original in originals:
            local_start, local_end = original.starts_at.astimezone(zone), original.ends_at.astimezone(zone)
            starts_at, ends_at = shift_on(
                target, local_start.time(), local_end.time(), operation.timezone,
                days_after=(local_end.date() - local_start.date()).days,
            )  # fmt: skip
            source = (
                {"k9_team": original.k9_team} if original.k9_team_id
                else {"pledge_line": original.pledge_line, "quantity": original.quantity}
            )  # fmt: skip
            kwargs = {"venue": venue, "starts_at": starts_at, "ends_at": ends_at, "role": original.role, **source}
            placements.append((target, _label(original, zone), kwargs))
    return _place(actor, placements, mode=mode, preview=preview)


def _label(assignment, zone) -> str:
    who = (
        f"{assignment.k9_team.handler_name} & {assignment.k9_team.dog_name}" if assignment.k9_team_id
        else f"{assignment.quantity} × {assignment.pledge_line.specialty.name}"
    )  # fmt: skip
    start, end = assignment.starts_at.astimezone(zone), assignment.ends_at.astimezone(zone)
    return f"{country_label(assignment.pledge.request.country)} · {who} · {start:%H:%M}–{end:%H:%M}"


# A selection on the assignments page is a page or two; an API caller cancelling more splits the list.
MAX_CANCEL = 1000


def cancel_many(*, actor, ids, reason: str) -> list[Assignment]:
    """Cancel every assignment of `ids`, each through transitions.cancel_assignment (its lock, its
    from-states, its history), by a coordinator, with one reason; all or nothing: one that may not be
    cancelled (already cancelled, completed) refuses them all. One message per country lists them."""
    require_coordinator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    ids = sorted(set(ids))  # one lock order for every caller: two bulk cancels wait, never deadlock
    if not ids:
        raise ValidationError({"ids": _("Choose at least one assignment.")})
    if len(ids) > MAX_CANCEL:
        raise ValidationError({"ids": _("At most %(n)s assignments at a time.") % {"n": MAX_CANCEL}})
    missing = set(ids) - set(Assignment.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing:
        raise ValidationError(
            {"ids": _("No such assignment: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    with transaction.atomic():
        cancelled = [transitions.cancel_assignment(pk, actor=actor, reason=reason, tell=False) for pk in ids]
        _tell_each_country(actor, cancelled, "assignments_cancelled", reason=reason)
    return cancelled

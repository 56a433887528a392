"""What if (SPEC §10): which needs would fall below cover if a country, pledge, officer line or K9 team
withdrew (from an instant) or a need were raised or lowered — without changing anything.

The answer comes from the one cover computation (queries.need_coverage) run twice: over the tables as
they are, and over the tables as the changes would leave them (what_if_sql.py: the hypothesis is a pair of
SQL views passed as parameters, not rows written and rolled back). Nothing is written, so nothing can
fire: no history, notification, outbox row, live-board event or lock on the rows a placement may want.

With `repair`, also the proposal that would recover the needs that fall short (what_if_repair.py: the
proposal engine over the tables as the changes would leave them, in a transaction rolled back).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from core.countries import is_country
from deployments import what_if_repair
from deployments.models import VenueNeed
from deployments.queries import coverage_grid, need_coverage
from deployments.what_if_sql import lost_duty
from pledges.models import K9Team, Pledge, PledgeLine

KINDS = ("withdraw_country", "withdraw_pledge", "withdraw_line", "withdraw_team", "need")
# The field of a change that names what it changes, per kind.
TARGET = {
    "withdraw_country": "country",
    "withdraw_pledge": "pledge",
    "withdraw_line": "pledge_line",
    "withdraw_team": "k9_team",
    "need": "need",
}
# The cut kind (what_if_sql.CUTS) of each withdrawal of one row, and the rows it may name.
_CUT_KINDS = {"withdraw_pledge": "pledge", "withdraw_line": "line", "withdraw_team": "team"}


@dataclass(frozen=True)
class Change:
    kind: str
    target: str | int  # a country code, or the id of a pledge, line, team or need
    starts: datetime | None = None  # "from": only duty from this instant on is lost
    quantity: int | None = None  # for kind "need"


class InvalidChanges(Exception):
    """Changes that name what does not exist in the operation: {index: {field: message}}."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        super().__init__(errors)
        self.errors = errors


def what_if(operation, changes: list[Change], *, repair: bool = False, actor=None) -> dict:
    """The needs of `operation` whose cover the changes would alter (by_venue: those that would be short
    first), a summary, and with `repair` the proposal that would recover them, made as `actor` (a
    coordinator). Raises InvalidChanges, writing nothing."""
    cuts, quantities = resolve(operation, changes)
    now = {need["id"]: need for need in coverage_grid(operation.pk)}
    after = need_coverage(operation.pk, cuts=cuts, quantities=quantities)
    rows, short_after = [], 0
    for need in after:
        before = now.get(need["id"])
        short = need["assigned"] < need["quantity"]
        short_after += short
        if before is None or _same_cover(before, need):
            continue
        rows.append({
            "need": need["id"], "venue": need["venue"], "specialty": need["specialty"],
            "starts_at": need["starts_at"], "ends_at": need["ends_at"], "needed": need["quantity"],
            "needed_now": before["quantity"], "assigned": need["assigned"], "assigned_now": before["assigned"],
            "assigned_after": need["assigned"], "languages": need["languages"],
            "assigned_speaking": need["assigned_speaking"], "short": short,
            "newly_short": short and before["assigned"] >= before["quantity"],
        })  # fmt: skip
    # Gaps first, the largest shortfall first; then in the coverage's order (venue, start, specialty).
    rows.sort(key=lambda r: (not r["short"], r["assigned"] - r["needed"] if r["short"] else 0))
    summary = {
        **lost_duty(operation.pk, cuts),
        "needs_changed": len(rows),
        "needs_newly_short": sum(r["newly_short"] for r in rows),
        "needs_short_now": sum(n["assigned"] < n["quantity"] for n in now.values()),
        "needs_short_after": short_after,
    }
    answer = {"operation": operation.code, "by_venue": rows, "summary": summary, "repair": None}
    if repair:
        answer["repair"] = what_if_repair.repair(operation, actor=actor, cuts=cuts, quantities=quantities, rows=rows)
    return answer


def _same_cover(before: dict, after: dict) -> bool:
    keys = ("assigned", "quantity", "assigned_speaking")
    return all(before[key] == after[key] for key in keys)


def resolve(operation, changes: list[Change]) -> tuple[list[tuple], dict[int, int]]:
    """The changes as need_coverage's `cuts` and `quantities`, each checked against `operation`: a row of
    another operation is unknown, like one that does not exist. One query per kind used, whatever the
    number of changes. Raises InvalidChanges naming every bad change."""
    errors: dict[int, dict[str, str]] = {}
    by_kind: dict[str, set] = {}
    for change in changes:
        by_kind.setdefault(change.kind, set()).add(change.target)
    found = {kind: _existing(operation, kind, targets) for kind, targets in by_kind.items()}
    cuts, quantities = [], {}
    for index, change in enumerate(changes):
        field = TARGET[change.kind]
        if change.kind == "withdraw_country":
            if not is_country(change.target):
                errors[index] = {field: _("Not an ISO 3166-1 alpha-2 country code.")}
                continue
            cuts += [("pledge", pledge, change.starts) for pledge in found[change.kind].get(change.target, ())]
        elif change.target not in found[change.kind]:
            errors[index] = {field: _unknown(change.kind) % {"id": change.target}}
        elif change.kind == "need":
            if change.target in quantities:
                errors[index] = {field: _("This need is already changed by another item.")}
            quantities[change.target] = change.quantity
        else:
            cuts.append((_CUT_KINDS[change.kind], change.target, change.starts))
    if errors:
        raise InvalidChanges(errors)
    return cuts, quantities


def _existing(operation, kind: str, targets: set):
    """Of `targets`, those of `operation`: for countries, {country: [pledge ids]}; else the set of ids."""
    if kind == "withdraw_country":
        pledges = Pledge.objects.filter(request__operation=operation, request__country__in=targets)
        found: dict[str, list[int]] = {}
        for pledge, country in pledges.values_list("id", "request__country"):
            found.setdefault(country, []).append(pledge)
        return found
    rows = {
        "withdraw_pledge": Pledge.objects.filter(request__operation=operation),
        "withdraw_line": PledgeLine.objects.filter(pledge__request__operation=operation),
        "withdraw_team": K9Team.objects.filter(pledge__request__operation=operation),
        "need": VenueNeed.objects.filter(venue__operation=operation),
    }[kind]
    return set(rows.filter(pk__in=targets).values_list("id", flat=True))


def _unknown(kind: str) -> str:
    return {
        "withdraw_pledge": _("No pledge #%(id)s in this operation."),
        "withdraw_line": _("No officer line #%(id)s in this operation."),
        "withdraw_team": _("No K9 team #%(id)s in this operation."),
        "need": _("No need #%(id)s in this operation."),
    }[kind]

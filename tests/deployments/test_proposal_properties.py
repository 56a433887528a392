"""SPEC §10 proposals, as properties over small generated operations (hypothesis): a few venues (near and
far), needs (officers and K9, some asking a language), accepted lines and K9 teams (availability,
certification, border readiness) with some assignments already, and the duty and rest rules varied.

(a) a proposal never breaks a rule: the rule engine refuses none of it (nothing dropped, the apply goes
    through), and after it the app's own checks — deployments.conflicts and demo/scale/checks.py — find
    nothing new;
(b) applying it never lowers the cover of any need;
(c) on cases small enough to enumerate every set of placements over the needs' windows (each judged by
    the rule engine), it covers the optimum of officer-hours.

Each example runs in a transaction rolled back at its end, on the real PostgreSQL."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from demo.scale.checks import rule_violations
from deployments import proposals
from deployments.conflicts import conflicts
from deployments.proposals import apply_proposal, run_proposal
from deployments.queries import need_coverage
from deployments.transitions import create_assignment, start_proposal
from tests.factories import (
    OperationFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db
# Stade de France, and Lille (190 km: over six hours at the default 30 km/h) or the Parc des Princes (10 km).
PLACES = [("48.924", "2.360"), ("50.612", "3.130"), ("48.841", "2.253")]
COUNTRIES = ["PL", "DE", "IT", "ES", "BE"]  # one request per country and authority: a source each
PROPERTIES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def needs(most_quantity):
    return st.fixed_dictionaries({
        "venue": st.integers(0, 1), "k9": st.booleans(), "start": st.integers(6, 18), "hours": st.integers(2, 8),
        "quantity": st.integers(1, most_quantity), "languages": st.sampled_from([[], ["fr"]]),
    })  # fmt: skip


def lines(most_officers):
    return st.fixed_dictionaries({
        "officers": st.integers(1, most_officers), "languages": st.sampled_from([["pl"], ["fr", "pl"]]),
        "available": st.sampled_from([True, True, True, False]),
    })  # fmt: skip


TEAMS = st.fixed_dictionaries({
    "certified": st.sampled_from([True, True, False]), "ready": st.sampled_from(["yes", "yes", "yes", "later", "none"]),
})  # fmt: skip
BUSY = st.fixed_dictionaries({
    "source": st.integers(0, 3), "day": st.sampled_from([25, 26]), "start": st.integers(0, 20),
    "hours": st.integers(2, 10), "venue": st.integers(0, 1), "quantity": st.integers(1, 3),
})  # fmt: skip


def cases(*, most_needs, most_lines, most_teams, most_quantity, most_busy):
    return st.fixed_dictionaries({
        "far": st.booleans(), "max_duty_hours": st.sampled_from([8, 12, 24]), "min_rest_hours": st.sampled_from([8, 11]),
        "needs": st.lists(needs(most_quantity), min_size=1, max_size=most_needs),
        "lines": st.lists(lines(most_quantity), min_size=1, max_size=most_lines),
        "teams": st.lists(TEAMS, min_size=min(1, most_teams), max_size=most_teams),
        "busy": st.lists(BUSY, max_size=most_busy),
    })  # fmt: skip


def build(case, actor):
    """The operation of `case`, its assignments already there placed through the rule engine (those it
    refuses are left out): a legal starting point."""
    operation = OperationFactory()
    operation.rules = {**operation.rule_set, "max_duty_hours": case["max_duty_hours"],
                       "min_rest_hours": case["min_rest_hours"]}  # fmt: skip
    operation.save()
    venues = [
        VenueFactory(operation=operation, latitude=lat, longitude=lon)
        for lat, lon in (PLACES[0], PLACES[1 if case["far"] else 2])
    ]
    for need in case["needs"]:
        starts = at(26, need["start"])
        VenueNeedFactory(
            venue=venues[need["venue"]], specialty=specialty("k9_explosives" if need["k9"] else "public_order"),
            starts_at=starts, ends_at=starts + dt.timedelta(hours=need["hours"]),
            quantity=1 if need["k9"] else need["quantity"], languages=need["languages"],
        )  # fmt: skip
    sources = [
        accepted_line(
            officers=line["officers"],
            languages=line["languages"],
            pledge__request__operation=operation,
            available_to=dt.date(2024, 8, 20) if line["available"] else dt.date(2024, 7, 25),
            pledge__request__country=COUNTRIES[i],
        )
        for i, line in enumerate(case["lines"])
    ]
    ready = {"yes": dt.date(2024, 5, 1), "later": dt.date(2024, 7, 20), "none": None}
    sources += [
        accepted_team(
            pledge__request__operation=operation,
            rabies_vaccinated_on=ready[team["ready"]],
            certification_expires_on=dt.date(2025, 6, 30) if team["certified"] else dt.date(2024, 7, 25),
            pledge__request__country=COUNTRIES[-1 - i],
        )
        for i, team in enumerate(case["teams"])
    ]
    for busy in case["busy"]:
        if not sources:
            break
        source = sources[busy["source"] % len(sources)]
        starts = at(busy["day"], busy["start"])
        team = source.__class__.__name__ == "K9Team"
        kind = (
            {"k9_team": source}
            if team
            else {"pledge_line": source, "quantity": min(busy["quantity"], source.officers_accepted)}
        )
        try:
            with transaction.atomic():
                create_assignment(actor=actor, venue=venues[busy["venue"]], starts_at=starts,
                                  ends_at=starts + dt.timedelta(hours=busy["hours"]), tell=False, **kind)  # fmt: skip
        except (DomainError, ValidationError):
            pass
    return operation


def propose(actor, operation):
    proposal = start_proposal(actor=actor, operation=operation, expires_at=timezone.now() + proposals.LIFETIME)
    return run_proposal(proposal.pk)


def found_conflicts(operation) -> set:
    return {(c.rule, c.assignment["id"], (c.other or {}).get("id")) for c in conflicts(operation)}


def cover(operation) -> dict[int, int]:
    return {need["id"]: need["assigned"] for need in need_coverage(operation.pk)}


@PROPERTIES
@given(case=cases(most_needs=3, most_lines=2, most_teams=2, most_quantity=3, most_busy=3))
def test_an_applied_proposal_breaks_no_rule_and_lowers_no_cover(coordinator, case):
    with transaction.atomic():
        operation = build(case, coordinator)
        conflicts_before, violations_before, cover_before = (
            found_conflicts(operation), rule_violations(operation.pk), cover(operation)
        )  # fmt: skip

        proposal = propose(coordinator, operation)
        assert proposal.status == "ready", proposal.error
        dropped = proposal.result["stats"]["dropped"]
        assert dropped == []  # the final check refuses nothing the solver's pre-filter let through
        event(f"proposed {min(len(proposal.result['assignments']), 3)}+ assignments")
        if proposal.result["assignments"]:
            placed = apply_proposal(proposal.pk, actor=coordinator)
            assert len(placed) == len(proposal.result["assignments"])
            assert all(not a.warnings for a in placed)

        assert found_conflicts(operation) <= conflicts_before
        assert rule_violations(operation.pk) == violations_before
        cover_after = cover(operation)
        assert all(cover_after[need] >= assigned for need, assigned in cover_before.items())
        transaction.set_rollback(True)


class _Feasible(Exception):
    pass


def feasible(actor, placements) -> bool:
    """Whether the rule engine places all of `placements` [(need, source, quantity)]; nothing kept."""
    try:
        with transaction.atomic():
            for need, source, quantity in placements:
                kind = {"k9_team": source} if quantity is None else {"pledge_line": source, "quantity": quantity}
                create_assignment(actor=actor, venue=need.venue, starts_at=need.starts_at, ends_at=need.ends_at,
                                  tell=False, **kind)  # fmt: skip
            raise _Feasible
    except _Feasible:
        return True
    except (DomainError, ValidationError):
        return False


def brute_force_optimum(actor, operation) -> float:
    """The most officer-hours any set of placements over the needs' windows covers, each need at most its
    gap: every combination enumerated, best first, the first one the rule engine accepts whole."""
    from deployments.models import VenueNeed
    from pledges.models import K9Team, PledgeLine

    gaps = {
        n["id"]: n["quantity"] - n["assigned"] for n in need_coverage(operation.pk) if n["quantity"] > n["assigned"]
    }
    the_needs = VenueNeed.objects.select_related("venue", "specialty").in_bulk(list(gaps))
    line_sources = list(PledgeLine.objects.filter(pledge__request__operation=operation))
    team_sources = list(K9Team.objects.filter(pledge__request__operation=operation))
    choices = []  # per (need, source): the quantities it may take (0: not placed)
    for need in the_needs.values():
        if need.specialty.code == "public_order":
            for line in line_sources:
                choices.append([(need, line, q) for q in range(1, min(gaps[need.pk], line.officers_accepted) + 1)])
        else:
            for team in team_sources:
                choices.append([(need, team, None)])
    hours = lambda need: (need.ends_at - need.starts_at).total_seconds() / 3600  # noqa: E731
    combos = []
    for combo in itertools.product(*[[None, *options] for options in choices]):
        chosen = [c for c in combo if c]
        per_need = {}
        for need, _source, q in chosen:
            per_need[need.pk] = per_need.get(need.pk, 0) + (q or 1)
        if all(per_need[n] <= gaps[n] for n in per_need):
            combos.append((sum((q or 1) * hours(need) for need, _s, q in chosen), chosen))
    combos.sort(key=lambda c: -c[0])
    for value, chosen in combos:
        if feasible(actor, chosen):
            return value
    return 0.0


@PROPERTIES
@given(case=cases(most_needs=2, most_lines=2, most_teams=1, most_quantity=2, most_busy=2))
def test_a_small_proposal_reaches_the_brute_force_optimum(coordinator, case):
    with transaction.atomic():
        operation = build(case, coordinator)

        proposal = propose(coordinator, operation)
        best = brute_force_optimum(coordinator, operation)

        assert proposal.status == "ready", proposal.error
        event(f"optimum {'> 0' if best else '0'}")
        assert proposal.result["stats"]["covered_officer_hours"] == pytest.approx(best)
        transaction.set_rollback(True)


def test_a_line_is_not_proposed_for_a_need_overlapping_one_that_asks_a_language_it_does_not_speak(coordinator):
    case = {
        "far": False, "max_duty_hours": 12, "min_rest_hours": 11, "busy": [], "teams": [],
        "needs": [{"venue": 0, "k9": False, "start": 8, "hours": 4, "quantity": 2, "languages": []},
                  {"venue": 0, "k9": False, "start": 10, "hours": 4, "quantity": 2, "languages": ["fr"]}],
        "lines": [{"officers": 2, "languages": ["pl"], "available": True}],
    }  # fmt: skip
    operation = build(case, coordinator)

    proposal = propose(coordinator, operation)

    assert proposal.result["stats"]["dropped"] == []

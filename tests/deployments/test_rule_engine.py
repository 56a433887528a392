"""SPEC §10: the one placement rule engine — duty, rest and travel at their boundaries, refuse or warn,
and under concurrency."""

import datetime as dt
from functools import partial

import pytest

from core.errors import RuleViolation
from deployments.models import Assignment, VenuePair
from deployments.rules import Breach, Context, run
from deployments.transitions import create_assignment, move_assignment
from tests.deployments.test_assignment_rules import place
from tests.deployments.test_concurrency import race
from tests.factories import (
    PARIS,
    CoordinatorFactory,
    OperationFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        callable_(*args, **kwargs)
    return err.value


def set_rules(source, **changes):
    operation = source.pledge.request.operation
    rules = operation.rule_set
    modes = changes.pop("modes", {})
    rules.update(changes)
    rules["modes"].update(modes)
    operation.rules = rules
    operation.save()


def minutes(m):
    return dt.timedelta(minutes=m)


# ---- rest ---------------------------------------------------------------------------------------------------


def test_exactly_the_minimum_rest_after_a_duty_is_allowed(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 14))

    place(coordinator, team, at(27, 1), at(27, 5))  # 14:00 + 11 h

    assert team.assignments.count() == 2


def test_one_minute_less_than_the_minimum_rest_is_refused_naming_the_other_assignment(coordinator):
    team = accepted_team()
    first = place(coordinator, team, at(26, 8), at(26, 14))

    error = refused(place, coordinator, team, at(27, 1) - minutes(1), at(27, 5))

    assert error.code == "rest_too_short"
    assert first.venue.name in error.message and "2024-07-26 08:00" in error.message


def test_a_break_of_at_most_max_break_minutes_is_one_duty_and_one_minute_more_needs_a_rest(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 12))

    place(coordinator, team, at(26, 13) + minutes(30), at(26, 17))  # a 90-minute break
    error = refused(place, coordinator, team, at(26, 18) + minutes(31), at(26, 19))  # 91 minutes after

    assert error.code == "rest_too_short"


def test_a_rest_before_the_next_assignment_is_checked_too(coordinator):
    team = accepted_team()
    place(coordinator, team, at(27, 6), at(27, 12))

    error = refused(place, coordinator, team, at(26, 18), at(26, 22))  # ends 8 h before the next starts

    assert error.code == "rest_too_short"


# ---- duty ---------------------------------------------------------------------------------------------------


def test_duty_is_counted_across_midnight(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 20), at(27, 4))

    error = refused(place, coordinator, team, at(27, 5), at(27, 10))  # a one-hour break: 8 + 5 hours in 24 h

    assert error.code == "duty_exceeded"
    assert "13" in error.message and "2024-07-26 20:00" in error.message


def test_a_twelve_hour_shift_across_the_autumn_clock_change_counts_its_thirteen_real_hours(coordinator):
    operation = OperationFactory(code="autumn", starts_on=dt.date(2024, 10, 1), ends_on=dt.date(2024, 11, 30))
    team = accepted_team(
        pledge__request__operation=operation, available_from=dt.date(2024, 10, 1), available_to=dt.date(2024, 11, 30)
    )
    local = partial(dt.datetime, 2024, 10, tzinfo=PARIS)

    error = refused(place, coordinator, team, local(26, 20), local(27, 8))  # 20:00 CEST to 08:00 CET

    assert error.code == "duty_exceeded"


def test_a_twelve_hour_shift_on_an_ordinary_night_is_allowed(coordinator):
    team = accepted_team()

    place(coordinator, team, at(26, 20), at(27, 8))

    assert team.assignments.count() == 1


def test_an_officer_line_may_work_its_accepted_officers_times_max_hours_and_no_more(coordinator):
    line = accepted_line(officers=10)
    place(coordinator, line, at(26, 6), at(26, 14), quantity=10)  # 80 officer-hours
    place(coordinator, line, at(26, 14), at(26, 22), quantity=5)  # 40: 120 = 10 × 12

    error = refused(place, coordinator, line, at(26, 22), at(26, 23), quantity=1)

    assert error.code == "duty_exceeded"
    assert "121" in error.message


# ---- travel -------------------------------------------------------------------------------------------------


def two_venues(team):
    operation = team.pledge.request.operation
    stade = VenueFactory(operation=operation, name="Stade de France", latitude="48.924500", longitude="2.360200")
    eiffel = VenueFactory(operation=operation, name="Eiffel Tower", latitude="48.858400", longitude="2.294500")
    return stade, eiffel  # 8.8 km: 17.6 minutes at 30 km/h, plus 15


def test_travel_between_two_venues_takes_the_distance_at_the_speed_plus_the_buffer(coordinator):
    team = accepted_team()
    stade, eiffel = two_venues(team)
    place(coordinator, team, at(26, 8), at(26, 12), venue=stade)

    error = refused(place, coordinator, team, at(26, 12) + minutes(32), at(26, 16), venue=eiffel)
    place(coordinator, team, at(26, 12) + minutes(33), at(26, 16), venue=eiffel)

    assert error.code == "travel_too_short"
    assert "Stade de France" in error.message and "2024-07-26 08:00" in error.message


def test_a_venue_pair_override_replaces_the_estimate_in_either_order(coordinator):
    team = accepted_team()
    stade, eiffel = two_venues(team)
    VenuePair.objects.create(venue_a=eiffel, venue_b=stade, minutes=60)
    place(coordinator, team, at(26, 8), at(26, 12), venue=stade)

    error = refused(place, coordinator, team, at(26, 12) + minutes(59), at(26, 16), venue=eiffel)
    place(coordinator, team, at(26, 13), at(26, 16), venue=eiffel)

    assert error.code == "travel_too_short"


def test_venues_without_coordinates_are_not_checked_for_travel(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 12))

    place(coordinator, team, at(26, 12), at(26, 16))  # another venue, no coordinates

    assert team.assignments.count() == 2


# ---- refuse or warn, moves, the interface ---------------------------------------------------------------------


def test_a_rule_in_warn_mode_places_the_assignment_and_returns_the_warning(coordinator):
    team = accepted_team()
    set_rules(team, modes={"rest_too_short": "warn"})
    place(coordinator, team, at(26, 8), at(26, 12))

    second = place(coordinator, team, at(26, 16), at(26, 20))

    assert [w.code for w in second.warnings] == ["rest_too_short"]
    assert Assignment.objects.filter(pk=second.pk).exists()


def test_a_tightened_rule_applies_to_the_next_placement(coordinator):
    team = accepted_team()
    set_rules(team, max_duty_hours=8)

    error = refused(place, coordinator, team, at(26, 8), at(26, 17))

    assert error.code == "duty_exceeded"


def test_moving_an_assignment_is_held_to_the_rest_rule(coordinator):
    team = accepted_team()
    place(coordinator, team, at(26, 8), at(26, 16))
    later = place(coordinator, team, at(27, 8), at(27, 16))

    error = refused(move_assignment, later.pk, actor=coordinator, starts_at=at(26, 22), ends_at=at(27, 2))

    assert error.code == "rest_too_short"


def test_a_rule_is_a_function_of_the_context_whose_mode_is_looked_up_by_its_code():
    team = accepted_team()
    set_rules(team, modes={"language_mismatch": "warn"})
    ctx = Context(source=team, venue=VenueFactory(), starts_at=at(26, 8), ends_at=at(26, 12))

    def speaks_nothing(ctx):
        return Breach("language_mismatch", "Nobody speaks Spanish.")

    def always_refused(ctx):
        return Breach("k9_not_ready", "No pet passport.")

    assert [b.code for b in run(ctx, [speaks_nothing])] == ["language_mismatch"]
    assert refused(run, ctx, [speaks_nothing, always_refused]).code == "k9_not_ready"


# ---- concurrency ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_placements_racing_on_one_team_never_exceed_its_duty_together():
    coordinators = CoordinatorFactory.create_batch(2)
    for round_ in range(10):
        team = accepted_team(pledge__request__operation=OperationFactory(code=f"duty-race-{round_}"))
        venue = VenueFactory(operation=team.pledge.request.operation)
        place_ = partial(create_assignment, venue=venue, k9_team=team)

        results = race(
            partial(place_, actor=coordinators[0], starts_at=at(26, 6), ends_at=at(26, 13)),
            partial(place_, actor=coordinators[1], starts_at=at(26, 13), ends_at=at(26, 19)),
        )

        placed = [r for r in results if isinstance(r, Assignment)]
        refusals = [r for r in results if isinstance(r, RuleViolation)]
        assert (len(placed), [r.code for r in refusals]) == (1, ["duty_exceeded"]), results


@pytest.mark.django_db(transaction=True)
def test_two_placements_racing_on_one_line_never_exceed_its_officer_hours_together():
    coordinators = CoordinatorFactory.create_batch(2)
    for round_ in range(10):
        line = accepted_line(officers=10, pledge__request__operation=OperationFactory(code=f"hours-race-{round_}"))
        venue = VenueFactory(operation=line.pledge.request.operation)
        place_ = partial(create_assignment, venue=venue, pledge_line=line, quantity=10)

        results = race(
            partial(place_, actor=coordinators[0], starts_at=at(26, 6), ends_at=at(26, 13)),
            partial(place_, actor=coordinators[1], starts_at=at(26, 13), ends_at=at(26, 19)),
        )

        placed = [r for r in results if isinstance(r, Assignment)]
        refusals = [r for r in results if isinstance(r, RuleViolation)]
        assert (len(placed), [r.code for r in refusals]) == (1, ["duty_exceeded"]), results

"""SPEC §10 on the staff pages: the rules settings page (rules, modes, venue-pair travel times), the
conflicts page, and the planner marking conflicting assignments."""

import pytest
from django.urls import reverse

from deployments.models import VenuePair
from reinforcements.models import Operation
from tests.factories import AssignmentFactory, OperationFactory, VenueFactory, accepted_team, at

pytestmark = pytest.mark.django_db


def rules_form(operation, **changes):
    rules = operation.rule_set
    data = {k: v for k, v in rules.items() if k != "modes"}
    data |= {f"mode_{code}": mode for code, mode in rules["modes"].items()}
    return data | changes


def rest_conflict(country="PL"):
    team = accepted_team(pledge__request__country=country)
    first = AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 8), ends_at=at(26, 12))
    second = AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=first.venue, starts_at=at(26, 18), ends_at=at(26, 22)
    )
    return first, second


# ---- the rules page ---------------------------------------------------------------------------------------------


def test_the_rules_page_shows_each_rule_with_its_explanation_linked_from_the_menu(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)

    html = client.get(reverse("operation_rules", args=[operation.code])).content.decode()

    assert 'name="min_rest_hours" value="11"' in html
    assert "Two consecutive assignments of a K9 team" in html
    assert f'href="{reverse("operation_rules", args=[operation.code])}" aria-current="page"' in html


def test_the_rules_page_speaks_french(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)
    client.cookies["django_language"] = "fr"

    html = client.get(reverse("operation_rules", args=[operation.code])).content.decode()

    assert "Repos minimal entre deux services (heures)" in html
    assert "avertir (placé, listé comme conflit)" in html


def test_a_coordinator_saves_a_tighter_rest_and_a_warned_rule(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("operation_rules", args=[operation.code]),
        rules_form(operation, min_rest_hours="12", mode_travel_too_short="warn"),
    )

    operation.refresh_from_db()
    assert response.status_code == 302
    assert (operation.rules["min_rest_hours"], operation.rules["modes"]["travel_too_short"]) == (12, "warn")


def test_a_value_out_of_bounds_is_shown_and_nothing_is_saved(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("operation_rules", args=[operation.code]), rules_form(operation, max_duty_hours="30")
    )

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 24" in response.content.decode()
    assert Operation.objects.get(pk=operation.pk).rules["max_duty_hours"] == 12


def test_a_viewer_reads_the_rules_but_cannot_save_them(client, viewer):
    operation = OperationFactory()
    client.force_login(viewer)

    page = client.get(reverse("operation_rules", args=[operation.code]))
    post = client.post(reverse("operation_rules", args=[operation.code]), rules_form(operation, max_duty_hours="8"))

    assert (page.status_code, post.status_code) == (200, 403)
    assert "Save the rules" not in page.content.decode()


def test_a_liaison_does_not_find_the_rules_or_the_conflicts_pages(client, liaison_pl):
    team = accepted_team(pledge__request__country="PL", pledge__request__status="sent")
    code = team.pledge.request.operation.code
    client.force_login(liaison_pl)

    assert client.get(reverse("operation_rules", args=[code])).status_code == 404
    assert client.get(reverse("conflict_list", args=[code])).status_code == 404


def test_a_coordinator_adds_and_removes_a_travel_time(client, coordinator):
    a, b = VenueFactory(), VenueFactory()
    client.force_login(coordinator)

    client.post(reverse("venue_pair_add", args=[a.operation.code]), {"venue_a": a.pk, "venue_b": b.pk, "minutes": 25})
    pair = VenuePair.objects.get()
    client.post(reverse("venue_pair_delete", args=[a.operation.code, pair.pk]))

    assert pair.minutes == 25
    assert not VenuePair.objects.exists()


def test_the_same_pair_twice_is_shown_as_an_error(client, coordinator):
    a, b = VenueFactory(), VenueFactory()
    VenuePair.objects.create(venue_a=a, venue_b=b, minutes=25)
    client.force_login(coordinator)

    response = client.post(
        reverse("venue_pair_add", args=[a.operation.code]), {"venue_a": b.pk, "venue_b": a.pk, "minutes": 30}
    )

    assert response.status_code == 200
    assert "These two venues already have a travel time." in response.content.decode()
    assert VenuePair.objects.get().minutes == 25


# ---- the conflicts page and the planner -------------------------------------------------------------------------


def test_the_conflicts_page_lists_a_rest_too_short_with_the_other_assignment(client, viewer):
    first, second = rest_conflict()
    client.force_login(viewer)

    html = client.get(reverse("conflict_list", args=[first.venue.operation.code])).content.decode()

    assert "Rest between duties" in html
    assert reverse("assignment_detail", args=[second.pk]) in html
    assert reverse("assignment_detail", args=[first.pk]) in html


def test_the_conflicts_page_narrows_by_rule_and_by_country(client, coordinator):
    first, _second = rest_conflict("PL")
    code = first.venue.operation.code
    client.force_login(coordinator)

    by_rule = client.get(reverse("conflict_list", args=[code]), {"rule": "duty_exceeded"}).content.decode()
    by_country = client.get(reverse("conflict_list", args=[code]), {"country": "PL"}).content.decode()

    assert "No conflict" in by_rule
    assert "Rest between duties" in by_country


def test_the_planner_marks_the_cells_of_conflicting_assignments(client, coordinator):
    first, _second = rest_conflict()
    client.force_login(coordinator)

    html = client.get(
        reverse("planner", args=[first.venue.operation.code]), {"venue": first.venue.code, "day": "2024-07-26"}
    ).content.decode()

    assert html.count('class="conflict" title="') == 2
    assert "would rest only" in html or "rests only" in html


def test_the_planner_marks_an_assignment_whose_conflict_is_reported_on_the_next_day(client, coordinator):
    team = accepted_team()
    evening = AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 19), ends_at=at(26, 23))
    AssignmentFactory(  # rests 7 h after the evening: the conflict is the morning's, naming the evening
        pledge_line=None, quantity=None, k9_team=team, venue=evening.venue, starts_at=at(27, 6), ends_at=at(27, 10)
    )
    client.force_login(coordinator)

    html = client.get(
        reverse("planner", args=[evening.venue.operation.code]), {"venue": evening.venue.code, "day": "2024-07-26"}
    ).content.decode()

    assert html.count('class="conflict" title="') == 1


def test_a_placement_under_a_warned_rule_is_planned_with_a_warning(client, coordinator):
    team = accepted_team()
    operation = team.pledge.request.operation
    operation.rules = {**operation.rule_set, "modes": {**operation.rule_set["modes"], "rest_too_short": "warn"}}
    operation.save()
    venue = VenueFactory(operation=operation)
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 8), ends_at=at(26, 12)
    )
    client.force_login(coordinator)

    response = client.post(
        reverse("assignment_create", args=[operation.code]),
        {"venue": venue.code, "day": "2024-07-26", "role": "", "source": f"team:{team.pk}",
         "starts_at": "2024-07-26T16:00", "ends_at": "2024-07-26T20:00"},
        follow=True,
    )  # fmt: skip

    assert team.assignments.count() == 2
    assert "would rest only" in response.content.decode()

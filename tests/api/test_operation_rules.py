"""SPEC §10: an operation's rules over the API — defaults, partial edits, bad values refused with a
clear 400 that writes nothing, coordinators only; and the venue-pair travel overrides."""

import pytest

from deployments.models import VenuePair
from reinforcements.models import Operation
from tests.api.conftest import client_as
from tests.factories import OperationFactory, VenueFactory, accepted_team, at

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "max_duty_hours": 12, "max_break_minutes": 90, "min_rest_hours": 11, "travel_kmh": 30,
    "travel_buffer_minutes": 15,
}  # fmt: skip


def url(operation):
    return f"/api/v1/operations/{operation.code}/"


def test_a_new_operation_has_the_spec_defaults_every_rule_refusing(coordinator):
    operation = OperationFactory()

    rules = client_as(coordinator).get(url(operation)).data["rules"]

    assert {k: rules[k] for k in DEFAULTS} == DEFAULTS
    assert set(rules["modes"].values()) == {"refuse"}
    assert {"duty_exceeded", "rest_too_short", "travel_too_short", "certification_expired"} <= set(rules["modes"])


def test_a_coordinator_changes_one_rule_and_one_mode_and_the_others_keep_their_values(coordinator):
    operation = OperationFactory()
    client = client_as(coordinator)
    client.patch(url(operation), {"rules": {"modes": {"travel_too_short": "warn"}}}, format="json")

    response = client.patch(url(operation), {"rules": {"min_rest_hours": 12}}, format="json")

    assert response.status_code == 200, response.data
    operation.refresh_from_db()
    assert operation.rules["min_rest_hours"] == 12
    assert operation.rules["max_duty_hours"] == 12
    assert operation.rules["modes"]["travel_too_short"] == "warn"


@pytest.mark.parametrize(
    ("rules", "key"),
    [
        ({"max_duty_hours": 0}, "max_duty_hours"),
        ({"max_duty_hours": 25}, "max_duty_hours"),
        ({"max_duty_hours": "twelve"}, "max_duty_hours"),
        ({"max_duty_hours": True}, "max_duty_hours"),
        ({"max_break_minutes": 1.5}, "max_break_minutes"),
        ({"travel_kmh": -3}, "travel_kmh"),
        ({"nap_minutes": 20}, "nap_minutes"),
        ({"modes": {"duty_exceeded": "ignore"}}, "modes.duty_exceeded"),
        ({"modes": {"capacity_exceeded": "warn"}}, "modes.capacity_exceeded"),
        ({"modes": "warn"}, "modes"),
    ],
)
def test_a_bad_rule_gets_a_400_naming_it_and_nothing_is_written(coordinator, rules, key):
    operation = OperationFactory()

    response = client_as(coordinator).patch(url(operation), {"rules": rules}, format="json")

    assert response.status_code == 400
    assert key in response.data["rules"]
    assert Operation.objects.get(pk=operation.pk).rules == operation.rules


def test_rules_that_are_not_an_object_get_a_400(coordinator):
    operation = OperationFactory()

    response = client_as(coordinator).patch(url(operation), {"rules": [12]}, format="json")

    assert response.status_code == 400
    assert "rules" in response.data


def test_the_400_is_in_the_callers_language(coordinator):
    operation = OperationFactory()

    response = client_as(coordinator).patch(
        url(operation), {"rules": {"max_duty_hours": 30}}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.data["rules"]["max_duty_hours"] == ["Entre 1 et 24."]


def test_a_viewer_cannot_change_the_rules(viewer):
    operation = OperationFactory()

    response = client_as(viewer).patch(url(operation), {"rules": {"max_duty_hours": 8}}, format="json")

    assert response.status_code == 403
    assert Operation.objects.get(pk=operation.pk).rules["max_duty_hours"] == 12


def test_a_liaison_cannot_change_the_rules_of_their_operation(liaison_pl):
    team = accepted_team(pledge__request__country="PL", pledge__request__status="sent")
    operation = team.pledge.request.operation

    response = client_as(liaison_pl).patch(url(operation), {"rules": {"max_duty_hours": 8}}, format="json")

    assert response.status_code == 403
    assert Operation.objects.get(pk=operation.pk).rules["max_duty_hours"] == 12


def test_a_placement_refused_by_a_rule_answers_409_with_its_code(coordinator):
    team = accepted_team()
    venue = VenueFactory(operation=team.pledge.request.operation)
    client = client_as(coordinator)
    client.patch(url(venue.operation), {"rules": {"max_duty_hours": 6}}, format="json")

    response = client.post(
        "/api/v1/assignments/",
        {"venue": venue.pk, "k9_team": team.pk, "starts_at": at(26, 8), "ends_at": at(26, 15)},
        format="json",
    )

    assert response.status_code == 409
    assert response.data["code"] == "duty_exceeded"


def test_a_placement_breaking_a_warned_rule_is_created_with_its_warnings(coordinator):
    team = accepted_team()
    venue = VenueFactory(operation=team.pledge.request.operation)
    client = client_as(coordinator)
    client.patch(
        url(venue.operation), {"rules": {"max_duty_hours": 6, "modes": {"duty_exceeded": "warn"}}}, format="json"
    )

    response = client.post(
        "/api/v1/assignments/",
        {"venue": venue.pk, "k9_team": team.pk, "starts_at": at(26, 8), "ends_at": at(26, 15)},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert [w["code"] for w in response.data["warnings"]] == ["duty_exceeded"]


# ---- venue pairs ---------------------------------------------------------------------------------------------


def test_a_coordinator_sets_a_travel_time_between_two_venues(coordinator):
    a, b = VenueFactory(), VenueFactory()

    response = client_as(coordinator).post(
        "/api/v1/venue-pairs/", {"venue_a": a.pk, "venue_b": b.pk, "minutes": 40}, format="json"
    )

    assert response.status_code == 201, response.data
    assert VenuePair.objects.get().minutes == 40


def test_the_same_pair_in_the_other_order_is_refused_with_a_400(coordinator):
    a, b = VenueFactory(), VenueFactory()
    VenuePair.objects.create(venue_a=a, venue_b=b, minutes=40)

    response = client_as(coordinator).post(
        "/api/v1/venue-pairs/", {"venue_a": b.pk, "venue_b": a.pk, "minutes": 50}, format="json"
    )

    assert response.status_code == 400
    assert VenuePair.objects.get().minutes == 40


def test_a_pair_of_one_venue_or_of_two_operations_is_refused(coordinator):
    a = VenueFactory()
    elsewhere = VenueFactory(operation=OperationFactory(code="elsewhere"))
    client = client_as(coordinator)

    same = client.post("/api/v1/venue-pairs/", {"venue_a": a.pk, "venue_b": a.pk, "minutes": 5}, format="json")
    apart = client.post("/api/v1/venue-pairs/", {"venue_a": a.pk, "venue_b": elsewhere.pk, "minutes": 5}, format="json")

    assert (same.status_code, apart.status_code) == (400, 400)
    assert not VenuePair.objects.exists()


def test_a_liaison_finds_no_travel_times(liaison_pl):
    team = accepted_team(pledge__request__country="PL", pledge__request__status="sent")
    operation = team.pledge.request.operation
    pair = VenuePair.objects.create(
        venue_a=VenueFactory(operation=operation), venue_b=VenueFactory(operation=operation), minutes=9
    )

    listed = client_as(liaison_pl).get("/api/v1/venue-pairs/")
    detail = client_as(liaison_pl).get(f"/api/v1/venue-pairs/{pair.pk}/")

    assert (listed.data["count"], detail.status_code) == (0, 404)

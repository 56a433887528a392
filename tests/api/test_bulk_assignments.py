"""POST /api/v1/assignments/bulk/ (SPEC §10 "Bulk placement"): one source over a range of days."""

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator

from deployments.models import Assignment
from notifications.models import Notification
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/assignments/bulk/"


def body(source, venue=None, **extra):
    venue = venue or VenueFactory(operation=source.pledge.request.operation)
    data = {
        "venue": venue.pk, "role": "Perimeter", "from_time": "08:00", "to_time": "20:00",
        "from_date": "2024-07-26", "to_date": "2024-07-28",
    }  # fmt: skip
    if hasattr(source, "officers_accepted"):
        data.update(pledge_line=source.pk, quantity=4)
    else:
        data["k9_team"] = source.pk
    return {**data, **extra}


def test_mode_all_places_the_window_on_every_day_of_the_range(coordinator):
    line = accepted_line(officers=10)

    response = client_as(coordinator).post(URL, body(line), format="json")

    assert response.status_code == 201, response.data
    assert [(a["starts_at"], a["ends_at"]) for a in response.data["assignments"]] == [
        ("2024-07-26T08:00:00+02:00", "2024-07-26T20:00:00+02:00"),
        ("2024-07-27T08:00:00+02:00", "2024-07-27T20:00:00+02:00"),
        ("2024-07-28T08:00:00+02:00", "2024-07-28T20:00:00+02:00"),
    ]
    assert response.data["refused"] == []
    assert {a["status"] for a in response.data["assignments"]} == {"planned"}
    assert Assignment.objects.filter(pledge_line=line, quantity=4, role="Perimeter").count() == 3


def test_mode_all_places_nothing_and_answers_409_naming_the_day_and_its_rule(coordinator):
    line = accepted_line(officers=10)
    AssignmentFactory(pledge_line=line, quantity=8, starts_at=at(27, 10), ends_at=at(27, 12))

    response = client_as(coordinator).post(URL, body(line), format="json")

    assert response.status_code == 409
    assert response.data["code"] == "capacity_exceeded"
    assert "2024-07-27" in response.data["detail"]
    assert [(r["date"], r["code"]) for r in response.data["refused"]] == [("2024-07-27", "capacity_exceeded")]
    assert "free" in response.data["refused"][0]["detail"]
    assert Assignment.objects.filter(pledge_line=line).count() == 1


def test_mode_fit_places_the_days_that_pass_and_reports_the_others(coordinator):
    line = accepted_line(officers=10)
    AssignmentFactory(pledge_line=line, quantity=8, starts_at=at(27, 10), ends_at=at(27, 12))

    response = client_as(coordinator).post(URL, body(line, mode="fit"), format="json")

    assert response.status_code == 201, response.data
    assert [a["starts_at"][:10] for a in response.data["assignments"]] == ["2024-07-26", "2024-07-28"]
    assert [(r["date"], r["code"]) for r in response.data["refused"]] == [("2024-07-27", "capacity_exceeded")]
    assert Assignment.objects.filter(pledge_line=line).count() == 3


def test_a_k9_team_already_on_duty_one_day_is_refused_that_day_for_overlap(coordinator):
    team = accepted_team()
    # 08:00–11:00 on the 28th: the 27th's shift (to 20:00) still leaves the rest SPEC §10 asks (11 h).
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None, starts_at=at(28, 8), ends_at=at(28, 11))

    response = client_as(coordinator).post(URL, body(team, mode="fit"), format="json")

    assert response.status_code == 201, response.data
    assert len(response.data["assignments"]) == 2
    assert [(r["date"], r["code"]) for r in response.data["refused"]] == [("2024-07-28", "k9_overlap")]


def test_a_window_that_ends_before_it_starts_crosses_midnight_into_the_next_day(coordinator):
    line = accepted_line()

    response = client_as(coordinator).post(
        URL, body(line, from_time="22:00", to_time="06:00", to_date="2024-07-27"), format="json"
    )

    assert response.status_code == 201, response.data
    assert [(a["starts_at"], a["ends_at"]) for a in response.data["assignments"]] == [
        ("2024-07-26T22:00:00+02:00", "2024-07-27T06:00:00+02:00"),
        ("2024-07-27T22:00:00+02:00", "2024-07-28T06:00:00+02:00"),
    ]


def test_a_night_shift_over_the_autumn_clock_change_lasts_its_real_hours(coordinator):
    operation = OperationFactory(code="autumn", starts_on=dt.date(2024, 10, 20), ends_on=dt.date(2024, 11, 5))
    line = accepted_line(
        pledge__request__operation=operation,
        available_from=dt.date(2024, 10, 20),
        available_to=dt.date(2024, 11, 5),
    )
    data = body(line, from_time="20:00", to_time="08:00", from_date="2024-10-26", to_date="2024-10-27")

    response = client_as(coordinator).post(URL, data, format="json")

    assert response.status_code == 201, response.data
    first, second = Assignment.objects.filter(pledge_line=line).order_by("starts_at")
    assert first.ends_at - first.starts_at == dt.timedelta(hours=13)  # 20:00 CEST -> 08:00 CET
    assert second.ends_at - second.starts_at == dt.timedelta(hours=12)
    assert response.data["assignments"][0]["ends_at"] == "2024-10-27T08:00:00+01:00"


def test_weekdays_keep_only_those_days_of_the_range(coordinator):
    line = accepted_line()
    data = body(line, from_date="2024-07-22", to_date="2024-07-28", weekdays=[6, 7])  # Mon..Sun: Sat, Sun

    response = client_as(coordinator).post(URL, data, format="json")

    assert response.status_code == 201, response.data
    assert [a["starts_at"][:10] for a in response.data["assignments"]] == ["2024-07-27", "2024-07-28"]


BAD_INPUT = [
    ("the range ends before it starts", {"from_date": "2024-07-28", "to_date": "2024-07-26"}, "to_date"),
    ("ten thousand days", {"from_date": "2024-07-01", "to_date": "2051-11-16"}, "to_date"),
    ("more days than allowed", {"from_date": "2024-07-01", "to_date": "2024-12-31"}, "to_date"),
    ("a range past the operation", {"from_date": "2024-09-10", "to_date": "2024-09-20"}, "to_date"),
    ("a range before the operation", {"from_date": "2024-06-28", "to_date": "2024-07-02"}, "from_date"),
    ("weekday 0", {"weekdays": [0]}, "weekdays"),
    ("weekday 8", {"weekdays": [1, 8]}, "weekdays"),
    ("weekdays that miss every day", {"to_date": "2024-07-27", "weekdays": [1]}, "weekdays"),
    ("an empty window", {"from_time": "08:00", "to_time": "08:00"}, "to_time"),
    ("a time that is not one", {"from_time": "25:00"}, "from_time"),
    ("an unknown mode", {"mode": "most"}, "mode"),
    ("officers without a quantity", {"quantity": None}, "quantity"),
    ("no source at all", {"pledge_line": None}, "non_field_errors"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(coordinator, liaison_pl, case, change, field):
    line = accepted_line()

    response = client_as(coordinator).post(URL, body(line, **change), format="json")

    assert response.status_code == 400, response.data
    assert field in response.data
    assert Assignment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_both_a_line_and_a_team_is_a_400(coordinator):
    line = accepted_line()
    team = accepted_team(pledge=line.pledge)

    response = client_as(coordinator).post(URL, body(line, k9_team=team.pk), format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.data
    assert Assignment.objects.count() == 0


def test_a_french_coordinator_reads_the_refusal_in_french(coordinator):
    coordinator.language = "fr"
    coordinator.save()
    line = accepted_line()

    response = client_as(coordinator).post(
        URL, body(line, from_date="2024-07-28", to_date="2024-07-26"), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.data["to_date"] == ["Le dernier jour précède le premier."]


def test_the_country_gets_one_message_for_the_whole_placement_not_one_per_day(coordinator):
    line = accepted_line()  # Poland
    polish = [LiaisonFactory(country="PL", language="en"), LiaisonFactory(country="PL", language="fr")]
    LiaisonFactory(country="DE")

    response = client_as(coordinator).post(URL, body(line, to_date="2024-07-30"), format="json")

    assert response.status_code == 201
    told = Notification.objects.filter(event="assignments_planned", channel="in_app")
    assert sorted(n.recipient_id for n in told) == sorted(u.pk for u in polish)
    assert Notification.objects.filter(event="assignment_planned").count() == 0
    english = told.get(recipient=polish[0])
    assert english.subject == "5 new assignments for your contingent"
    assert english.body.count("\n- ") == 5
    assert english.url == "/portal/deployments/"


def test_a_refused_bulk_tells_nobody(coordinator, liaison_pl):
    line = accepted_line()
    AssignmentFactory(pledge_line=line, quantity=10, starts_at=at(26, 7), ends_at=at(26, 9))

    response = client_as(coordinator).post(URL, body(line), format="json")

    assert response.status_code == 409
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("who", ["liaison_pl", "liaison_de", "viewer"])
def test_only_a_coordinator_may_place_in_bulk(request, who):
    line = accepted_line()

    response = client_as(request.getfixturevalue(who)).post(URL, body(line), format="json")

    assert response.status_code == 403
    assert Assignment.objects.count() == 0


def test_the_schema_describes_the_bulk_body_its_201_and_its_409():
    document = SchemaGenerator().get_schema(request=None, public=True)

    operation = document["paths"]["/api/v1/assignments/bulk/"]["post"]

    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("BulkPlacementRequest")
    assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("BulkResult")
    assert operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("BulkConflict")

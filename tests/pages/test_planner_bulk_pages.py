"""The planner's "Place on several days" and "Copy this venue's day to …" forms (SPEC §10)."""

import pytest
from django.urls import reverse

from deployments.models import Assignment
from notifications.models import Notification
from tests.factories import AssignmentFactory, LiaisonFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db


def place_days(client, venue, preview=None, **data):
    return client.post(
        reverse("assignment_bulk", args=[venue.operation.code]),
        {"venue": venue.code, "day": "2024-07-26", **({"preview": preview} if preview else {}), "bulk-role": "Gate A", "bulk-from_time": "08:00",
         "bulk-to_time": "20:00", "bulk-from_date": "2024-07-26", "bulk-to_date": "2024-07-28", "bulk-mode": "all",
         **{f"bulk-{k}": v for k, v in data.items()}},
    )  # fmt: skip


def copy_day(client, venue, **data):
    return client.post(
        reverse("venue_day_copy", args=[venue.operation.code]),
        {"venue": venue.code, "day": "2024-07-26", **{f"copy-{k}": v for k, v in data.items()}},
    )


def test_the_planner_offers_both_forms_to_a_coordinator_only(client, coordinator, viewer):
    venue = VenueFactory()
    url = reverse("planner", args=[venue.operation.code]) + f"?venue={venue.code}&day=2024-07-26"
    client.force_login(coordinator)

    as_coordinator = client.get(url).content.decode()
    client.force_login(viewer)
    as_viewer = client.get(url).content.decode()

    assert 'id="bulk-form"' in as_coordinator and 'id="copy-form"' in as_coordinator
    assert "Place on several days" in as_coordinator
    assert 'id="bulk-form"' not in as_viewer and 'id="copy-form"' not in as_viewer


def test_a_coordinator_places_a_line_on_several_days_from_the_planner(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    client.force_login(coordinator)

    response = place_days(client, venue, source=f"line:{line.pk}", quantity="4")

    assert response.status_code == 200
    assert [(a.starts_at, a.ends_at) for a in Assignment.objects.order_by("starts_at")] == [
        (at(d, 8), at(d, 20)) for d in (26, 27, 28)
    ]
    assert "3 assignments planned" in response.content.decode()
    assert len(response.context["report"]["placed"]) == 3


def test_a_refused_day_in_mode_all_places_nothing_and_names_the_day_and_the_rule(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=8, starts_at=at(27, 9), ends_at=at(27, 10))
    client.force_login(coordinator)

    response = place_days(client, venue, source=f"line:{line.pk}", quantity="4")

    assert Assignment.objects.count() == 1
    assert response.context["bulk_form"].non_field_errors() == ["Nothing was placed: 1 day breaks a rule (2024-07-27)."]
    refused = response.context["report"]["refused"]
    assert [(r.date.isoformat(), r.code) for r in refused] == [("2024-07-27", "capacity_exceeded")]
    assert 'id="bulk-refused"' in response.content.decode()


def test_bad_days_are_shown_on_their_field_and_nothing_is_written(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    client.force_login(coordinator)

    response = place_days(client, venue, source=f"line:{line.pk}", quantity="4", from_date="2024-07-28",
                          to_date="2024-07-26")  # fmt: skip

    assert response.status_code == 200
    assert response.context["bulk_form"].errors["to_date"] == ["The last day comes before the first."]
    assert Assignment.objects.count() == 0


def test_copying_a_venue_day_places_what_fits_and_lists_what_was_refused_and_why(client, coordinator):
    line = accepted_line(officers=10)  # Poland
    team = accepted_team(pledge__request__country="DE", pledge__request__operation=line.pledge.request.operation)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None, venue=venue, starts_at=at(26, 22),
                      ends_at=at(27, 6))  # fmt: skip
    AssignmentFactory(pledge_line=line, quantity=5, starts_at=at(28, 12), ends_at=at(28, 13))  # elsewhere
    polish, german = LiaisonFactory(country="PL"), LiaisonFactory(country="DE")
    client.force_login(coordinator)

    response = copy_day(client, venue, from_date="2024-07-27", to_date="2024-07-29")

    assert response.status_code == 200
    copies = Assignment.objects.filter(venue=venue, starts_at__gte=at(27, 0)).order_by("starts_at")
    assert [(a.starts_at, a.ends_at) for a in copies] == [
        (at(27, 8), at(27, 20)), (at(27, 22), at(28, 6)), (at(28, 22), at(29, 6)),
        (at(29, 8), at(29, 20)), (at(29, 22), at(30, 6)),
    ]  # fmt: skip
    refused = response.context["report"]["refused"]
    assert [(r.date.isoformat(), r.code) for r in refused] == [("2024-07-28", "capacity_exceeded")]
    page = response.content.decode()
    assert "6 × Public order" in page and "Only 5 of the 10 accepted officers" in page
    assert Notification.objects.filter(event="assignments_planned", channel="in_app", recipient=polish).count() == 1
    assert Notification.objects.filter(event="assignments_planned", channel="in_app", recipient=german).count() == 1


def test_copying_an_empty_day_says_there_is_nothing_to_copy(client, coordinator):
    venue = VenueFactory()
    client.force_login(coordinator)

    response = copy_day(client, venue, from_date="2024-07-27", to_date="2024-07-29")

    assert response.context["copy_form"].non_field_errors() == [
        "No live assignment at this venue on this day: nothing to copy."
    ]


def test_a_viewer_may_not_post_either_form(client, viewer):
    venue = VenueFactory()
    client.force_login(viewer)

    assert place_days(client, venue, source="line:1", quantity="1").status_code == 403
    assert copy_day(client, venue, from_date="2024-07-27", to_date="2024-07-29").status_code == 403


def test_the_forms_read_in_french(client, coordinator):
    coordinator.language = "fr"
    coordinator.save()
    venue = VenueFactory()
    client.force_login(coordinator)

    page = client.get(
        reverse("planner", args=[venue.operation.code]) + f"?venue={venue.code}&day=2024-07-26",
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()

    assert "Placer sur plusieurs jours" in page
    assert "Copier la journée" in page


def test_a_preview_shows_what_would_be_placed_and_refused_and_writes_nothing(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=8, starts_at=at(27, 9), ends_at=at(27, 10))
    LiaisonFactory(country="PL")
    client.force_login(coordinator)

    response = place_days(client, venue, source=f"line:{line.pk}", quantity="4", mode="fit", preview="1")

    report = response.context["report"]
    assert report["preview"] is True
    assert [p["date"].isoformat() for p in report["placed"]] == ["2024-07-26", "2024-07-28"]
    assert [(r.date.isoformat(), r.code) for r in report["refused"]] == [("2024-07-27", "capacity_exceeded")]
    assert "Preview, nothing is placed yet: 2 assignments would be planned." in response.content.decode()
    assert Assignment.objects.count() == 1
    assert Notification.objects.count() == 0


def test_a_preview_in_mode_all_with_a_refused_day_says_nothing_would_be_placed(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=8, starts_at=at(27, 9), ends_at=at(27, 10))
    client.force_login(coordinator)

    response = place_days(client, venue, source=f"line:{line.pk}", quantity="4", preview="1")

    assert response.context["report"]["all_refused"] is True
    assert "nothing would be placed" in response.content.decode()
    assert Assignment.objects.count() == 1

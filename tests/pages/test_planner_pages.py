import pytest
from django.urls import reverse

from deployments.models import Assignment, Venue
from tests.factories import (
    AssignmentFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)


def plan(client, venue, **data):
    return client.post(
        reverse("assignment_create", args=[venue.operation.code]),
        {"venue": venue.code, "day": "2024-07-26", "role": "", **data},
    )


def test_a_coordinator_plans_officers_from_an_accepted_line(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    client.force_login(coordinator)

    response = plan(
        client, venue, source=f"line:{line.pk}", quantity="4", starts_at="2024-07-26T08:00", ends_at="2024-07-26T16:00"
    )

    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert (assignment.quantity, assignment.starts_at, assignment.ends_at) == (4, at(26, 8), at(26, 16))


def test_more_officers_than_are_free_is_refused_in_plain_words(client, coordinator):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    AssignmentFactory(pledge_line=line, venue=venue, quantity=8, starts_at=at(26, 6), ends_at=at(26, 12))
    client.force_login(coordinator)

    response = plan(
        client, venue, source=f"line:{line.pk}", quantity="4", starts_at="2024-07-26T08:00", ends_at="2024-07-26T16:00"
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only 2 of the 10 accepted officers of this line are free at that time; 4 asked."
    ]


def test_an_overlapping_k9_assignment_is_refused_with_the_clash_named(client, coordinator):
    team = accepted_team(handler_name="Sgt. Nowak", dog_name="Rex")
    venue = VenueFactory(operation=team.pledge.request.operation, name="Seine")
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16)
    )
    client.force_login(coordinator)

    response = plan(client, venue, source=f"team:{team.pk}", starts_at="2024-07-26T12:00", ends_at="2024-07-26T20:00")

    assert response.context["form"].non_field_errors() == [
        "Sgt. Nowak & Rex is already assigned from 2024-07-26 08:00 CEST to 2024-07-26 16:00 CEST at Seine."
    ]


def test_a_team_whose_certification_lapses_is_refused_in_words(client, coordinator):
    team = accepted_team(certification_expires_on="2024-07-25", available_from="2024-07-10")
    venue = VenueFactory(operation=team.pledge.request.operation)
    client.force_login(coordinator)

    response = plan(client, venue, source=f"team:{team.pk}", starts_at="2024-07-26T12:00", ends_at="2024-07-26T20:00")

    assert "certification expires on 2024-07-25" in str(response.context["form"].non_field_errors())


def test_the_planner_shows_a_gap_in_red_where_fewer_are_assigned_than_needed(client, viewer):
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation, code="stade")
    VenueNeedFactory(venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 12))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=6, starts_at=at(26, 8), ends_at=at(26, 10))
    client.force_login(viewer)

    response = client.get(reverse("planner", args=["paris-2024"]), {"venue": "stade", "day": "2024-07-26"})

    cells = response.context["timeline"][0]["cells"]
    assert [c["state"] for c in cells[8:12]] == ["ok", "ok", "short", "short"]


def test_moving_an_assignment_changes_its_times(client, coordinator):
    assignment = AssignmentFactory(starts_at=at(26, 8), ends_at=at(26, 16))
    client.force_login(coordinator)

    client.post(
        reverse("assignment_move", args=[assignment.pk]),
        {f"a{assignment.pk}-starts_at": "2024-07-26T10:00", f"a{assignment.pk}-ends_at": "2024-07-26T18:00",
         f"a{assignment.pk}-quantity": "2"},
    )  # fmt: skip

    assignment.refresh_from_db()
    assert (assignment.starts_at, assignment.ends_at) == (at(26, 10), at(26, 18))


def test_cancelling_an_assignment_needs_and_keeps_a_reason(client, coordinator):
    assignment = AssignmentFactory()
    client.force_login(coordinator)

    client.post(reverse("assignment_cancel", args=[assignment.pk]), {"reason": "Ceremony moved."})

    assignment.refresh_from_db()
    assert (assignment.status, assignment.status_reason) == ("cancelled", "Ceremony moved.")


def test_the_assignments_export_honours_the_venue_filter(client, viewer):
    first = AssignmentFactory()
    AssignmentFactory(pledge_line=first.pledge_line, venue=VenueFactory(operation=first.venue.operation))
    client.force_login(viewer)

    response = client.get(
        reverse("assignment_export", args=["paris-2024"]), {"venue": first.venue.code, "format": "csv"}
    )

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [str(first.pk)]


def test_a_venue_code_already_used_in_the_operation_is_refused_on_its_field(client, coordinator):
    venue = VenueFactory(code="stade")
    client.force_login(coordinator)

    response = client.post(
        reverse("venue_create", args=[venue.operation.code]), {"code": "stade", "name": "Another", "kind": "stadium"}
    )

    assert response.status_code == 200
    assert Venue.objects.count() == 1
    assert response.context["form"].errors


def test_a_coordinator_adds_a_need_to_a_venue(client, coordinator):
    venue = VenueFactory()
    client.force_login(coordinator)

    client.post(
        reverse("venue_detail", args=[venue.pk]),
        {
            "specialty": specialty("public_order").pk,
            "starts_at": "2024-07-26T08:00",
            "ends_at": "2024-07-26T20:00",
            "quantity": "12",
        },
    )

    need = venue.needs.get()
    assert (need.quantity, need.starts_at) == (12, at(26, 8))


def test_the_move_form_is_served_to_a_coordinator_as_a_fragment_for_the_planner_or_as_a_page(client, coordinator):
    assignment = AssignmentFactory(starts_at=at(26, 8), ends_at=at(26, 16), role="Gate A")
    client.force_login(coordinator)
    url = reverse("assignment_move", args=[assignment.pk])

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    full = client.get(url).content.decode()

    assert fragment.lstrip().startswith("<form") and "<html" not in fragment
    assert f'name="a{assignment.pk}-starts_at" value="2024-07-26T08:00"' in fragment
    assert 'value="Gate A"' in fragment
    assert "<html" in full and f'action="{url}"' in full


def test_a_viewer_is_not_given_the_move_form(client, viewer):
    assignment = AssignmentFactory()
    client.force_login(viewer)

    assert client.get(reverse("assignment_move", args=[assignment.pk])).status_code == 403


def test_the_who_list_offers_at_most_the_limit_and_says_how_to_find_the_others(client, coordinator, monkeypatch):
    from deployments.views import planner as views

    monkeypatch.setattr(views, "SOURCE_LIMIT", 1)
    germany = accepted_line(officers=10, pledge__request__country="DE")
    operation = germany.pledge.request.operation
    italy = accepted_line(officers=10, pledge__request__country="IT", pledge__request__operation=operation)
    VenueFactory(operation=operation, code="stade")
    client.force_login(coordinator)
    url = reverse("planner", args=[operation.code])

    first = client.get(url, {"venue": "stade", "day": "2024-07-26"})
    searched = client.get(url, {"venue": "stade", "day": "2024-07-26", "q": "ital"})

    assert _offered(first) == [f"line:{germany.pk}"]
    assert "The first 1 of 2 officer lines are listed." in first.content.decode()
    assert _offered(searched) == [f"line:{italy.pk}"]
    assert "officer lines are listed" not in searched.content.decode()


def test_a_refused_plan_keeps_the_chosen_source_even_beyond_the_limit(client, coordinator, monkeypatch):
    from deployments.views import planner as views

    monkeypatch.setattr(views, "SOURCE_LIMIT", 1)
    first = accepted_team(handler_name="Sgt. Adamski", dog_name="Ares")
    team = accepted_team(handler_name="Sgt. Nowak", dog_name="Rex", pledge=first.pledge)
    venue = VenueFactory(operation=team.pledge.request.operation)
    client.force_login(coordinator)

    response = plan(client, venue, source=f"team:{team.pk}", starts_at="2024-07-26T20:00", ends_at="2024-07-26T12:00")

    assert response.status_code == 200
    assert [c for c in _offered(response) if c.startswith("team:")] == [f"team:{first.pk}", f"team:{team.pk}"]
    assert f'<option value="team:{team.pk}" selected>' in response.content.decode()


def _offered(response):
    return [value for _group, options in response.context["form"].fields["source"].widget.choices[1:]
            for value, _label in options]  # fmt: skip


@pytest.mark.django_db(transaction=True)  # commits, so the cache per data version is used, not bypassed
def test_the_free_officers_offered_follow_each_new_assignment(client, coordinator):
    line = accepted_line(officers=10, pledge__request__country="DE")
    venue = VenueFactory(operation=line.pledge.request.operation, code="stade")
    client.force_login(coordinator)
    url = reverse("planner", args=[venue.operation.code])

    before = dict(_labels(client.get(url, {"venue": "stade", "day": "2024-07-26"})))
    plan(
        client, venue, source=f"line:{line.pk}", quantity="4", starts_at="2024-07-26T08:00", ends_at="2024-07-26T16:00"
    )
    after = dict(_labels(client.get(url, {"venue": "stade", "day": "2024-07-26"})))

    assert before[f"line:{line.pk}"].endswith("10 of 10 free")
    assert after[f"line:{line.pk}"].endswith("6 of 10 free")


def _labels(response):
    return [choice for _group, options in response.context["form"].fields["source"].widget.choices[1:]
            for choice in options]  # fmt: skip


@pytest.mark.parametrize("search", ["%", "_", "'; drop table x; --", '<script>"', "ń" * 300, "\x00"])
def test_any_search_text_gives_the_planner_not_an_error(client, coordinator, search):
    line = accepted_line(officers=10, pledge__request__country="PL")
    VenueFactory(operation=line.pledge.request.operation, code="stade")
    client.force_login(coordinator)

    response = client.get(
        reverse("planner", args=[line.pledge.request.operation.code]),
        {"venue": "stade", "day": "2024-07-26", "q": search},
    )

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_the_planners_rows_escape_what_people_typed(client, coordinator):
    """The rows are written in Python (deployments/views/planner_rows.py): a role or a reason is text, never markup."""
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)
    placed = AssignmentFactory(pledge_line=line, venue=venue, quantity=2, starts_at=at(26, 8), ends_at=at(26, 16),
                               role='<script>alert("role")</script>')  # fmt: skip
    AssignmentFactory(pledge_line=line, venue=venue, quantity=1, starts_at=at(26, 9), ends_at=at(26, 10),
                      status="cancelled", status_reason="<b>rain</b> & wind")  # fmt: skip
    client.force_login(coordinator)

    html = client.get(reverse("planner", args=[venue.operation.code]), {"venue": venue.code, "day": "2024-07-26"})
    text = html.content.decode()

    assert "<script>alert" not in text and "&lt;script&gt;alert(&quot;role&quot;)&lt;/script&gt;" in text
    assert "&lt;b&gt;rain&lt;/b&gt; &amp; wind" in text
    assert f'action="{reverse("assignment_cancel", args=[placed.pk])}"' in text

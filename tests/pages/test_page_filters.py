"""A list page filters through its app's FilterSet, the API's: the same query string keeps the same rows
on the page and over the API, several values of one filter included."""

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, PledgeFactory, RequestFactory


def requests():
    RequestFactory(country="PL", status="sent")
    RequestFactory(country="PL", authority="defence", status="acknowledged")
    RequestFactory(country="DE", status="sent")
    RequestFactory(country="IT", status="draft")
    return "request_list", "/api/v1/requests/", {"status": ["sent", "acknowledged"], "country": "PL"}, 2


def pledges():
    poland = RequestFactory(country="PL")
    PledgeFactory(request=poland, status="accepted")
    PledgeFactory(request=poland, status="submitted")
    PledgeFactory(request=RequestFactory(country="DE"), status="accepted")
    return "pledge_list", "/api/v1/pledges/", {"status": "accepted", "country": "PL"}, 1


def assignments():
    first = AssignmentFactory(status="confirmed")
    AssignmentFactory(pledge_line=first.pledge_line, venue=first.venue, status="planned")
    AssignmentFactory(pledge_line=first.pledge_line, status="confirmed")
    return "assignment_list", "/api/v1/assignments/", {"status": "confirmed", "venue": first.venue.code}, 1


@pytest.mark.parametrize("world", [requests, pledges, assignments], ids=lambda world: world.__name__)
def test_a_page_keeps_the_rows_the_api_keeps_for_the_same_filters(client, viewer, world):
    name, api_url, params, expected = world()
    client.force_login(viewer)

    page = client.get(reverse(name, args=["paris-2024"]), params)
    api = client.get(api_url, {**params, "operation": "paris-2024"})

    on_page = {row.pk for row in page.context["page_obj"]}
    assert on_page == {row["id"] for row in api.json()["results"]}
    assert len(on_page) == expected

"""One definition of coverage: the dashboard, the coverage API, the coverage page and the planner read the
same figures, and needs of a venue and specialty that overlap add up (SPEC §3), so a gap of their sum shows.

A base need of 4 officers from 08:00 to 20:00 and a peak of 3 more from 12:00 to 16:00; one shift of 5 from
08:00 to 16:00 and one of 4 from 14:00 to 20:00. On duty: 5, then 9 from 14:00, then 4 from 16:00; needed:
4, then 7 from 12:00, then 4 from 16:00. From 12:00 to 14:00, 5 are on duty where 7 are needed: a gap of
2, which each need alone (4 against at least 4, 3 against at least 5) would hide.
"""

import datetime as dt

import pytest
from django.urls import reverse

from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, VenueFactory, VenueNeedFactory, accepted_line, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue():
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation, code="stade")
    VenueNeedFactory(venue=venue, quantity=4, starts_at=at(26, 8), ends_at=at(26, 20))
    VenueNeedFactory(venue=venue, quantity=3, starts_at=at(26, 12), ends_at=at(26, 16))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=5, starts_at=at(26, 8), ends_at=at(26, 16))
    AssignmentFactory(pledge_line=line, venue=venue, quantity=4, starts_at=at(26, 14), ends_at=at(26, 20))
    return venue


def api_coverage(user):
    """The coverage answer, each need's window read back as instants."""
    response = client_as(user).get("/api/v1/coverage/", {"operation": "paris-2024"})
    assert response.status_code == 200
    data = response.json()
    for need in data["by_venue"]:
        need["starts_at"], need["ends_at"] = map(dt.datetime.fromisoformat, (need["starts_at"], need["ends_at"]))
    return data


def page_context(client, name, **params):
    response = client.get(reverse(name, args=["paris-2024"]), params)
    assert response.status_code == 200
    return response.context


def test_each_overlapping_need_shows_the_gap_of_their_sum(venue, coordinator):
    by_venue = api_coverage(coordinator)["by_venue"]

    assert [(r["venue"], r["starts_at"], r["needed"], r["assigned"]) for r in by_venue] == [
        ("stade", at(26, 8), 4, 2),  # at 12:00, 5 on duty less the peak's 3
        ("stade", at(26, 12), 3, 1),  # at 12:00, 5 on duty less the base's 4
    ]


def test_the_dashboard_the_api_the_coverage_page_and_the_planner_agree(venue, coordinator, client):
    client.force_login(coordinator)

    api = api_coverage(coordinator)
    dashboard = page_context(client, "dashboard")
    page = page_context(client, "coverage", **{"from": "2024-07-26"})
    planner = page_context(client, "planner", venue="stade", day="2024-07-26")

    needs = [(r["starts_at"], r["ends_at"], r["needed"], r["assigned"]) for r in api["by_venue"]]
    # the dashboard lists the same needs short, with the same figures
    assert dashboard["gap_count"] == 2
    assert [(g["starts_at"], g["ends_at"], g["quantity"], g["assigned"]) for g in dashboard["gaps"]] == needs
    # the coverage page's cell of the day is the least-covered of them
    (row,) = page["rows"]
    cell = row["cells"][0]
    assert (cell["starts_at"], cell["ends_at"], cell["quantity"], cell["assigned"]) in needs
    assert cell["quantity"] - cell["assigned"] == 2
    # the planner shows the same shortfall in the hours of the gap, and each need's shortfall is the
    # largest of the planner's over the hours of its window
    (timeline,) = planner["timeline"]
    hours = planner["hours"]
    assert [h.hour for h, c in zip(hours, timeline["cells"], strict=True) if c["state"] == "short"] == [12, 13]
    assert (timeline["cells"][12]["needed"], timeline["cells"][12]["assigned"]) == (7, 5)
    for starts_at, ends_at, needed, assigned in needs:
        shortfalls = [c["needed"] - c["assigned"] for h, c in zip(hours, timeline["cells"], strict=True)
                      if starts_at <= h < ends_at]  # fmt: skip
        assert needed - assigned == min(needed, max(shortfalls))
    # officers assigned, by country and specialty: the line's peak on duty at once (9, from 14:00 to 16:00)
    assert dashboard["figures"]["totals"]["officers"]["assigned"] == 9
    assert [r["assigned"] for r in api["by_country"]] == [r["assigned"] for r in api["by_specialty"]] == [9]

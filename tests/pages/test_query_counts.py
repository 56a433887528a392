"""Every list, and every page listing the parts of one object, renders with the same number of queries
for 5 rows as for 50 (no query per row)."""

import pycountry
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from reinforcements.models import Specialty
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    at,
    specialty,
)

COUNTRIES = [c.alpha_2 for c in pycountry.countries if c.alpha_2 != "FR"]


def requests(n, user):
    operation = OperationFactory()
    for country in COUNTRIES[:n]:
        RequestLineFactory(request__operation=operation, request__country=country)
        RequestLineFactory(request__operation=operation, request__country=country, request__authority="defence",
                           specialty=specialty("k9_explosives"))  # fmt: skip
    return reverse("request_list", args=[operation.code])


def pledges(n, user):
    operation = OperationFactory()
    for country in COUNTRIES[:n]:
        line = PledgeLineFactory(pledge__request=RequestFactory(operation=operation, country=country),
                                 pledge__status="submitted")  # fmt: skip
        K9TeamFactory(pledge=line.pledge)
    return reverse("pledge_list", args=[operation.code])


def k9_teams(n, user):
    operation = OperationFactory(code="k9-op", requires_echinococcus=True)
    for country in COUNTRIES[:n]:
        K9TeamFactory(pledge__request=RequestFactory(operation=operation, country=country), pledge__status="accepted")
    return reverse("k9_team_list", args=[operation.code])


def assignments(n, user):
    line = accepted_line(officers=100)
    for _ in range(n):
        AssignmentFactory(pledge_line=line, quantity=1, venue=VenueFactory(operation=line.pledge.request.operation))
    return reverse("assignment_list", args=["paris-2024"])


def planner(n, user):
    line = accepted_line(officers=100)
    venue = VenueFactory(operation=line.pledge.request.operation, code="stade")
    for i in range(n):
        AssignmentFactory(pledge_line=line, quantity=1, venue=venue, starts_at=at(26, i % 12), ends_at=at(26, 13))
        VenueNeedFactory(venue=venue, quantity=2, starts_at=at(26, i % 12), ends_at=at(26, 20))
    return reverse("planner", args=["paris-2024"]) + "?venue=stade&day=2024-07-26"


def venues(n, user):
    operation = OperationFactory()
    for _ in range(n):
        VenueNeedFactory(venue=VenueFactory(operation=operation))
    return reverse("venue_list", args=[operation.code])


def needs(n, user):
    venue = VenueFactory()
    for i in range(n):
        VenueNeedFactory(venue=venue, starts_at=at(26, i % 20), ends_at=at(26, 22))
    return reverse("venue_detail", args=[venue.pk])


def coverage(n, user):
    operation = OperationFactory()
    for _ in range(n):
        VenueNeedFactory(venue=VenueFactory(operation=operation))
    return reverse("coverage", args=[operation.code]) + "?from=2024-07-24"


def dashboard(n, user):
    operation = OperationFactory()
    for country in COUNTRIES[:n]:
        request = RequestFactory(operation=operation, country=country)
        RequestLineFactory(request=request)
        PledgeLineFactory(pledge__request=request, pledge__status="submitted")
        VenueNeedFactory(venue=VenueFactory(operation=operation))
    return reverse("dashboard", args=[operation.code])


def board(n, user):
    """n venues short of officers in the board's first hours, each with a planned assignment starting soon
    (no demo clock: the board opens at midnight of the operation's first day with needs)."""
    operation = OperationFactory()
    line = accepted_line(officers=100, pledge__request__operation=operation)
    for _ in range(n):
        venue = VenueFactory(operation=operation)
        VenueNeedFactory(venue=venue, quantity=3, starts_at=at(26, 2), ends_at=at(26, 10))
        AssignmentFactory(pledge_line=line, venue=venue, quantity=1, starts_at=at(26, 3), ends_at=at(26, 10))
    return reverse("board", args=[operation.code])


def inbox(n, user):
    Notification.objects.bulk_create(
        Notification(recipient=user, event="request_sent", subject=f"S{i}", body="B", channel="in_app", url="/x/")
        for i in range(n)
    )
    return reverse("inbox")


def _officer_specialties(n):
    """n officer specialties, or all the seeded ones if fewer: a request or pledge has a line each."""
    return list(Specialty.objects.filter(is_canine=False).order_by("code")[:n])


def request_detail(n, user):
    """A request, its lines (one per specialty, at most the seeded ones) and n pledges answering it."""
    request = RequestFactory(status="sent")
    for officers in _officer_specialties(n):
        RequestLineFactory(request=request, specialty=officers)
    for _ in range(n):
        line = PledgeLineFactory(pledge__request=request, pledge__status="submitted")
        K9TeamFactory(pledge=line.pledge)
    return reverse("request_detail", args=[request.pk])


def pledge_review(n, user):
    """A submitted pledge with lines (one per specialty, at most the seeded ones) and n K9 teams."""
    pledge = PledgeFactory(status="submitted")
    for officers in _officer_specialties(n):
        PledgeLineFactory(pledge=pledge, specialty=officers)
    for _ in range(n):
        K9TeamFactory(pledge=pledge)
    return reverse("pledge_review", args=[pledge.pk])


@pytest.mark.parametrize(
    "build",
    [
        requests,
        pledges,
        k9_teams,
        assignments,
        planner,
        venues,
        needs,
        coverage,
        dashboard,
        board,
        inbox,
        request_detail,
        pledge_review,
    ],
)
def test_a_list_page_costs_the_same_queries_for_5_and_50_rows(client, coordinator, build):
    client.force_login(coordinator)
    counts = []
    for n in (5, 50):
        url = build(n, coordinator)
        client.get(url)  # warm the session and the content-type cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        _clear()

    assert counts[0] == counts[1], f"{counts[0]} queries for 5 rows, {counts[1]} for 50"


def _clear():
    from deployments.models import Assignment, Venue, VenueNeed
    from pledges.models import K9Team, Pledge, PledgeLine
    from reinforcements.models import Operation, ReinforcementRequest, RequestLine

    for model in (Assignment, VenueNeed, Venue, K9Team, PledgeLine, Pledge, RequestLine, ReinforcementRequest,
                  Operation, Notification):  # fmt: skip
        model.objects.all().delete()


@pytest.mark.parametrize("build", [requests, pledges, k9_teams, assignments])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_costs_the_same_queries_for_5_and_50_rows(client, coordinator, build, file_format):
    client.force_login(coordinator)
    counts = []
    for n in (5, 50):
        url = build(n, coordinator) + "export/"
        client.get(url, {"format": file_format})  # warm the session and the content-type cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"format": file_format})
            body = b"".join(response.streaming_content) if response.streaming else response.content  # rows read here
        assert response.status_code == 200
        assert body
        counts.append(len(queries))
        _clear()

    assert counts[0] == counts[1], f"{counts[0]} queries for 5 rows, {counts[1]} for 50"

"""Pages cost a fixed number of queries, whatever the number of rows (no N+1)."""

import pytest
from django.urls import reverse

from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    accepted_line,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


def many_assignments(n):
    line = accepted_line(officers=100, pledge__request__country="PL")
    team = K9TeamFactory(pledge=line.pledge, accepted=True)
    for day in range(n):
        AssignmentFactory(pledge_line=line, starts_at=at(11 + day, 8), ends_at=at(11 + day, 16))
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None)
    return line


@pytest.mark.parametrize("n", [1, 5])
def test_the_deployments_page_costs_the_same_for_few_or_many_assignments(pl_client, django_assert_num_queries, n):
    many_assignments(n)

    # session, user with their groups and liaison profile (core.auth), assignments with venue/line/team
    with django_assert_num_queries(3):
        pl_client.get(reverse("portal:deployments"))


@pytest.mark.parametrize("n", [1, 5])
def test_the_home_page_costs_the_same_for_few_or_many_rows(pl_client, django_assert_num_queries, n):
    for i in range(n):
        request = RequestFactory(country="PL", operation__code=f"games-{i}")
        line = PledgeLineFactory(pledge__request=request)
        K9TeamFactory(pledge=line.pledge, microchip="")
    many_assignments(n)

    # session, user with groups and profile; requests to answer; pledges with their withdrawn parts; K9 teams
    # not ready for the border, with their operation; planned assignments; notifications with the unread count
    with django_assert_num_queries(7):
        pl_client.get(reverse("portal:home"))


@pytest.mark.parametrize("n", [1, 5])
def test_the_printable_deployments_and_their_csv_cost_the_same_for_few_or_many_assignments(
    pl_client, django_assert_num_queries, n
):
    many_assignments(n)

    # session, user with groups and profile, assignments with venue/line/team;
    # the CSV is a personal-data export: one more, the INSERT of its ExportRecord
    for name, queries in (("portal:deployments_print", 3), ("portal:deployments_csv", 4)):
        with django_assert_num_queries(queries):
            assert pl_client.get(reverse(name)).status_code == 200


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_request_and_a_pledge_cost_the_same_for_few_or_many_lines_and_teams(pl_client):
    counts = {}
    for n in (1, 8):
        request = RequestFactory(country="PL", status="sent", operation__code=f"games-{n}")
        for code in ("public_order", "mounted", "river")[: min(n, 3)]:
            RequestLineFactory(request=request, specialty=specialty(code))
        pledge = PledgeLineFactory(pledge__request=request).pledge
        for _ in range(n):
            K9TeamFactory(pledge=pledge)
        counts[n] = (
            _count(pl_client, reverse("portal:request_detail", args=[request.pk])),
            _count(pl_client, reverse("portal:pledge_detail", args=[pledge.pk])),
        )

    assert counts[1] == counts[8], counts

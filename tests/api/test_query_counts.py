"""Every list endpoint costs the same number of queries for 5 rows as for 50: nothing is N+1."""

import itertools
import string

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from pledges.models import Amendment, AmendmentChange, Pledge, PledgeLine
from reinforcements.models import ReinforcementRequest
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    LiaisonFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    specialty,
)

pytestmark = pytest.mark.django_db

COUNTRIES = ("".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2) if "".join(pair) != "PL")
SERIAL = itertools.count()


def polish_request(op=None):
    op = op or OperationFactory(code="paris-2024")
    return ReinforcementRequest.objects.filter(operation=op, country="PL").first() or RequestFactory(
        operation=op, country="PL"
    )


def operations(n, user):
    for _ in range(n):
        polish_request(OperationFactory(code=f"op-{next(SERIAL)}"))


def requests(n, user):
    for _ in range(n):
        # a liaison has one request per operation and authority: one operation each
        req = RequestFactory(operation=OperationFactory(code=f"rq-{next(SERIAL)}"), country=next(COUNTRIES))
        if user.username.startswith("liaison"):
            req = polish_request(req.operation)
        RequestLineFactory(request=req)
        RequestLineFactory(request=req, specialty=specialty("mounted"), quantity=3)


def pledges(n, user):
    req = polish_request()
    for _ in range(n):
        pledge = PledgeFactory(request=req)
        PledgeLineFactory(pledge=pledge)
        PledgeLineFactory(pledge=pledge, specialty=specialty("river"))
        K9TeamFactory(pledge=pledge)


def amendments(n, user):
    req = polish_request()
    liaison = LiaisonFactory(country="PL")
    for _ in range(n):
        pledge = PledgeFactory(request=req, status="accepted")
        amendment = Amendment.objects.create(pledge=pledge, submitted_by=liaison, note="n")
        AmendmentChange.objects.create(amendment=amendment, kind="remove_line", target=1, before={"a": 1})
        AmendmentChange.objects.create(amendment=amendment, kind="add_team", after={"b": 2})


def k9_teams(n, user):
    req = polish_request()
    for _ in range(n):
        K9TeamFactory(pledge=PledgeFactory(request=req))


def venues(n, user):
    op = polish_request().operation
    for _ in range(n):
        VenueFactory(operation=op)


def needs(n, user):
    op = polish_request().operation
    for _ in range(n):
        VenueNeedFactory(venue=VenueFactory(operation=op))


def assignments(n, user):
    line = PledgeLine.objects.filter(officers_accepted=100).first() or accepted_line(officers=100)
    for _ in range(n):
        AssignmentFactory(pledge_line=line, quantity=1, venue=VenueFactory(operation=line.pledge.request.operation))


def notifications(n, user):
    for _ in range(n):
        Notification.objects.create(recipient=user, event="e", subject="s", body="b", channel="in_app", status="sent")


# endpoint -> (builder, queries for a coordinator, queries for a liaison)
BUDGETS = {
    # groups (role) · count · page; liaison: + liaison profile
    "/api/v1/operations/": (operations, 3, 4),
    # groups · count · page ⋈ operation · lines ⋈ specialty; liaison: + liaison profile
    "/api/v1/requests/": (requests, 4, 5),
    # groups · count · page ⋈ request ⋈ operation · lines ⋈ specialty · k9 teams; liaison: + profile
    "/api/v1/pledges/": (pledges, 5, 6),
    # groups · count · page ⋈ pledge ⋈ request ⋈ operation; liaison: + profile
    "/api/v1/k9-teams/": (k9_teams, 3, 4),
    # groups · count · page ⋈ operation; liaison: + profile
    "/api/v1/venues/": (venues, 3, 4),
    # groups · count · page ⋈ venue ⋈ operation ⋈ specialty; liaison: + profile
    "/api/v1/venue-needs/": (needs, 3, 4),
    # groups · count · page ⋈ venue ⋈ pledge ⋈ request; liaison: + profile
    "/api/v1/assignments/": (assignments, 3, 4),
    # count · page ⋈ content type
    "/api/v1/notifications/": (notifications, 2, 2),
}


def fresh_client(user):
    return client_as(type(user).objects.get(pk=user.pk))  # a fresh user: no role cached from before


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.data
    return len(ctx.captured_queries), response.data["count"]


@pytest.mark.parametrize("role", ["coordinator", "liaison_pl"])
@pytest.mark.parametrize("url", list(BUDGETS))
def test_a_list_costs_the_same_queries_for_5_and_50_rows(request, url, role, django_assert_max_num_queries):
    build, coordinator_budget, liaison_budget = BUDGETS[url]
    user = request.getfixturevalue(role)
    budget = coordinator_budget if role == "coordinator" else liaison_budget
    build(5, user)
    small, rows = count_queries(fresh_client(user), url)
    assert rows >= 5
    build(45, user)
    client = fresh_client(user)

    with django_assert_max_num_queries(budget):
        large, rows = count_queries(client, url)

    assert rows >= 50
    assert large == small


def test_coverage_costs_the_same_queries_for_few_and_many_needs_and_assignments(coordinator):
    line = accepted_line(officers=100)
    operation = line.pledge.request.operation

    def add(n):
        for _ in range(n):
            venue = VenueFactory(operation=operation)
            VenueNeedFactory(venue=venue)
            AssignmentFactory(pledge_line=line, quantity=1, venue=venue)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = fresh_client(coordinator).get("/api/v1/coverage/", {"operation": operation.code})
        assert response.status_code == 200, response.data
        return len(ctx.captured_queries), len(response.data["by_venue"])

    add(2)
    small, needs = queries()
    add(30)
    large, more_needs = queries()

    assert (needs, more_needs) == (2, 32)
    # groups (role, twice: visibility and scope) · operation · totals · needs
    assert large == small <= 5


def test_a_decision_costs_the_same_queries_for_2_lines_as_for_12_lines_and_6_teams(coordinator, liaison_pl):
    LiaisonFactory(country="PL", language="fr")  # a second recipient, in the other language
    ContentType.objects.get_for_model(Pledge)  # cached per process: not part of the budget
    codes = itertools.cycle(["public_order", "river", "mounted", "traffic_escort"])

    def decide(lines, teams):
        pledge = PledgeFactory(request=polish_request(), status="submitted")
        body = {
            "decision_note": "Thank you.",
            "lines": [
                {"id": PledgeLineFactory(pledge=pledge, specialty=specialty(next(codes))).pk, "officers_accepted": 5}
                for _ in range(lines)
            ],
            "k9_teams": [{"id": K9TeamFactory(pledge=pledge).pk, "accepted": True} for _ in range(teams)],
        }
        client = fresh_client(coordinator)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"/api/v1/pledges/{pledge.pk}/decide/", body)
        assert response.status_code == 200, response.data
        return len(ctx.captured_queries)

    small = decide(2, 0)
    large = decide(12, 6)

    # groups (role) · the pledge (visible?) · savepoint · its request FOR SHARE (a cancellation waits for the
    # decision, or the decision for it) · pledge ⋈ request ⋈ operation, locked · lines ⋈
    # specialty, locked · teams, locked · UPDATE lines · their history · UPDATE teams · their history ·
    # UPDATE pledge · its history · actor's liaison profile · the country's liaisons ⋈ profiles ·
    # enabled webhooks listening to the event (SPEC §12) · INSERT notifications · release savepoint;
    # the answer reads nothing more (the team steps are skipped when there are none)
    assert small == large - 2
    assert large <= 18

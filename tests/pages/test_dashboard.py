import pytest
from django.urls import reverse

from pledges.transitions import submit_pledge
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    accepted_line,
    specialty,
)


def test_the_dashboard_totals_officers_and_k9_teams_separately(client, viewer):
    operation = OperationFactory()
    request = RequestFactory(operation=operation, country="PL", status="sent")
    RequestLineFactory(request=request, quantity=20)
    RequestLineFactory(request=request, specialty=specialty("k9_explosives"), quantity=4)
    RequestLineFactory(request__operation=operation, request__country="DE", request__status="draft", quantity=99)
    PledgeLineFactory(pledge__request=request, pledge__status="submitted", officers_offered=12)
    K9TeamFactory(pledge__request=RequestFactory(operation=operation, country="PL", authority="defence"),
                  pledge__status="accepted", accepted=True)  # fmt: skip
    line = accepted_line(officers=8, pledge__request=RequestFactory(operation=operation, country="ES"))
    AssignmentFactory(pledge_line=line, quantity=5)
    AssignmentFactory(pledge_line=line, quantity=3)  # the same shift: 8 of the line's officers on duty at once
    client.force_login(viewer)

    totals = client.get(reverse("dashboard", args=[operation.code])).context["figures"]["totals"]

    assert totals["officers"] == {"requested": 20, "pledged": 20, "accepted": 8, "assigned": 8}
    assert totals["teams"] == {"requested": 4, "pledged": 1, "accepted": 1, "assigned": 0}


def test_an_overdue_request_without_an_answer_is_listed(client, viewer):
    operation = OperationFactory()
    RequestFactory(operation=operation, country="IT", status="sent", response_due="2024-03-01")
    client.force_login(viewer)

    context = client.get(reverse("dashboard", args=[operation.code])).context

    assert [r.country for r in context["overdue"]] == ["IT"]


def test_the_dashboard_lists_ten_of_each_and_counts_them_all(client, viewer):
    operation = OperationFactory()
    countries = ["AT", "BE", "CZ", "DK", "EE", "FI", "GR", "HU", "IE", "LT", "LU", "LV", "MT", "NL", "PT"]
    for i, country in enumerate(countries):
        due = "2024-03-01" if i < 12 else "2099-01-01"  # twelve overdue, three still in time
        RequestFactory(operation=operation, country=country, status="sent", response_due=due)
    client.force_login(viewer)

    context = client.get(reverse("dashboard", args=[operation.code])).context

    assert (context["awaiting_count"], context["overdue_count"]) == (15, 12)
    assert [r.country for r in context["overdue"]] == countries[:10]
    assert len(context["awaiting"]) == 10


def test_the_dashboard_reads_the_operation_and_the_menu_with_one_query(client, viewer, django_assert_num_queries):
    operation = OperationFactory()
    OperationFactory(code="rugby-2023", name="Rugby World Cup 2023")
    RequestFactory(operation=operation, country="IT", status="sent", response_due="2024-03-01")
    client.force_login(viewer)
    url = reverse("dashboard", args=[operation.code])
    client.get(url)  # warms the session

    # session, user with their groups, operations (menu and this one), figures (specialties, coverage counts),
    # coverage of the needs (no gap: no venue nor specialty to read), awaiting, undecided, unconfirmed, unread
    # count; the first day with needs, since today is past the 2024 operation (deployments/clock.py). A test's
    # open transaction never reads the figures' cache.
    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.status_code == 200
    assert [op.code for op in response.context["nav_operations"]] == ["paris-2024", "rugby-2023"]


@pytest.mark.django_db(transaction=True)
def test_a_pledge_submitted_after_the_lists_were_cached_shows_at_once(client, viewer, liaison_pl):
    operation = OperationFactory()
    pledge = PledgeFactory(request=RequestFactory(operation=operation, country="PL", status="sent"), status="draft")
    PledgeLineFactory(pledge=pledge)
    client.force_login(viewer)
    url = reverse("dashboard", args=[operation.code])
    client.get(url)
    assert client.get(url).context["awaiting_count"] == 1  # from the cache now

    submit_pledge(pledge.pk, actor=liaison_pl)

    context = client.get(url).context
    assert (context["awaiting_count"], [p.pk for p in context["undecided"]]) == (0, [pledge.pk])

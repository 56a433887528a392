"""POST /api/v1/assignments/bulk-cancel/ (SPEC §10 "bulk cancel of a selection"): all or nothing, one message
per country."""

import pytest

from deployments.models import Assignment
from notifications.models import Notification
from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, LiaisonFactory, accepted_line, at

pytestmark = pytest.mark.django_db

URL = "/api/v1/assignments/bulk-cancel/"


def test_a_coordinator_cancels_a_selection_with_one_reason_and_each_country_hears_once(coordinator):
    polish_line = accepted_line()
    german_line = accepted_line(
        pledge__request__country="DE", pledge__request__operation=polish_line.pledge.request.operation
    )
    chosen = [AssignmentFactory(pledge_line=polish_line, starts_at=at(d, 8), ends_at=at(d, 16)) for d in (26, 27)]
    chosen.append(AssignmentFactory(pledge_line=german_line))
    kept = AssignmentFactory(pledge_line=polish_line, starts_at=at(28, 8), ends_at=at(28, 16))
    polish, german = LiaisonFactory(country="PL"), LiaisonFactory(country="DE")

    response = client_as(coordinator).post(
        URL, {"ids": [a.pk for a in chosen], "reason": "Match moved."}, format="json"
    )

    assert response.status_code == 200, response.data
    assert {a["id"] for a in response.data["assignments"]} == {a.pk for a in chosen}
    assert set(Assignment.objects.filter(status="cancelled").values_list("status_reason", flat=True)) == {
        "Match moved."
    }
    assert Assignment.objects.get(pk=kept.pk).status == "planned"
    for liaison in (polish, german):
        told = Notification.objects.filter(recipient=liaison, channel="in_app")
        assert [n.event for n in told] == ["assignments_cancelled"]
    assert "2 assignments" in Notification.objects.get(recipient=polish, channel="in_app").subject


def test_one_assignment_that_may_not_be_cancelled_cancels_none(coordinator):
    line = accepted_line()
    planned = AssignmentFactory(pledge_line=line)
    completed = AssignmentFactory(pledge_line=line, status="completed", starts_at=at(20, 8), ends_at=at(20, 16))

    response = client_as(coordinator).post(URL, {"ids": [planned.pk, completed.pk], "reason": "x"}, format="json")

    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert Assignment.objects.get(pk=planned.pk).status == "planned"
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"ids": [], "reason": "x"}, "ids"), ({"ids": [1], "reason": ""}, "reason"), ({"reason": "x"}, "ids")],
)
def test_an_empty_selection_or_reason_is_a_400(coordinator, body, field):
    response = client_as(coordinator).post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.data


def test_an_unknown_id_is_a_400_and_nothing_is_cancelled(coordinator):
    assignment = AssignmentFactory()

    response = client_as(coordinator).post(URL, {"ids": [assignment.pk, 999999], "reason": "x"}, format="json")

    assert response.status_code == 400
    assert "999999" in str(response.data)
    assert Assignment.objects.get(pk=assignment.pk).status == "planned"


def test_a_liaison_may_not_bulk_cancel_even_their_own(liaison_pl):
    assignment = AssignmentFactory()

    response = client_as(liaison_pl).post(URL, {"ids": [assignment.pk], "reason": "x"}, format="json")

    assert response.status_code == 403
    assert Assignment.objects.get(pk=assignment.pk).status == "planned"


def test_a_hook_hears_each_assignment_of_a_bulk_cancel_while_people_get_one_message(coordinator):
    from notifications.models import WebhookDelivery
    from tests.factories import WebhookFactory

    hook = WebhookFactory(events=["assignment.cancelled"])
    line = accepted_line()
    chosen = [AssignmentFactory(pledge_line=line, starts_at=at(d, 8), ends_at=at(d, 16)) for d in (26, 27)]

    response = client_as(coordinator).post(URL, {"ids": [a.pk for a in chosen], "reason": "Rain."}, format="json")

    assert response.status_code == 200, response.data
    sent = WebhookDelivery.objects.filter(webhook=hook, event="assignment.cancelled")
    assert sorted(d.payload["object"]["id"] for d in sent) == sorted(a.pk for a in chosen)
    assert {d.payload["data"]["reason"] for d in sent} == {"Rain."}

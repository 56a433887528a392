"""SPEC §10 proposals, the bad input list: an empty scope, dates outside the operation, a venue or proposal
that is not the operation's, an expired proposal, a liaison calling any of it — each a clear 400, 403, 404
or 409 in the caller's language, and nothing written."""

import datetime as dt

import pytest
from django.utils import timezone

from deployments.models import Assignment, Proposal
from notifications.models import Notification
from tests.deployments.test_proposals import crafted, propose
from tests.factories import LiaisonFactory, OperationFactory, VenueFactory

pytestmark = pytest.mark.django_db


def nothing_placed():
    return not Assignment.objects.exists() and not Notification.objects.exists()


def test_an_empty_body_is_a_400_naming_the_operation(api_client, coordinator):
    api_client.force_authenticate(coordinator)

    response = api_client.post("/api/v1/proposals/", {}, format="json")

    assert response.status_code == 400
    assert "operation" in response.data
    assert not Proposal.objects.exists()


def test_a_scope_with_nothing_to_fill_proposes_nothing_and_applying_it_is_a_400(api_client, coordinator):
    operation, _line, _needs = crafted()
    empty = VenueFactory(operation=operation)
    api_client.force_authenticate(coordinator)

    asked = api_client.post("/api/v1/proposals/", {"operation": operation.code, "venue": empty.pk}, format="json")
    proposal = propose(coordinator, operation, venue=empty)
    applied = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert asked.status_code == 202
    assert (proposal.status, proposal.result["assignments"], proposal.result["uncovered"]) == ("ready", [], [])
    assert applied.status_code == 400
    assert "Choose at least one proposed assignment." in str(applied.data)
    assert nothing_placed()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.READY


@pytest.mark.parametrize(
    ("body", "field"),
    [({"to_date": "2024-09-16"}, "to_date"), ({"from_date": "2024-06-30", "to_date": "2024-07-02"}, "from_date"),
     ({"from_date": "2025-07-26"}, "from_date"), ({"from_date": "not a date"}, "from_date")],
)  # fmt: skip
def test_dates_outside_the_operation_are_a_400_in_the_callers_language(api_client, coordinator, body, field):
    OperationFactory()
    api_client.force_authenticate(coordinator)

    english = api_client.post("/api/v1/proposals/", {"operation": "paris-2024", **body}, format="json")
    french = api_client.post(
        "/api/v1/proposals/", {"operation": "paris-2024", **body}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert (english.status_code, french.status_code) == (400, 400)
    assert field in english.data and field in french.data
    assert str(english.data[field][0]) != str(french.data[field][0])
    assert not Proposal.objects.exists()


def test_the_page_refuses_dates_outside_the_operation_and_a_venue_of_another(client, coordinator):
    operation = OperationFactory()
    other = VenueFactory(operation=OperationFactory(code="other-op"))
    client.force_login(coordinator)

    dates = client.post(f"/ops/{operation.code}/proposals/", {"from_date": "2024-06-01"})
    venue = client.post(f"/ops/{operation.code}/proposals/", {"venue": other.pk})

    assert (dates.status_code, venue.status_code) == (200, 200)
    assert "The operation runs from 2024-07-01 to 2024-09-15." in dates.content.decode()
    assert 'class="errorlist' in venue.content.decode()
    assert not Proposal.objects.exists()


def test_a_proposal_is_found_only_under_its_own_number(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    api_client.force_authenticate(coordinator)

    missing = api_client.post(f"/api/v1/proposals/{proposal.pk + 1000}/apply/", {}, format="json")

    assert missing.status_code == 404
    assert nothing_placed()


def test_an_expired_proposal_is_a_409_in_french_and_nothing_is_placed(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    api_client.force_authenticate(coordinator)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")

    assert (response.status_code, response.data["code"]) == (409, "proposal_expired")
    assert "expiré" in response.data["detail"]
    assert nothing_placed()


def test_a_liaison_finds_neither_the_proposals_nor_their_pages(api_client, client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    liaison = LiaisonFactory(country="PL")
    api_client.force_authenticate(liaison)
    client.force_login(liaison)

    listed = api_client.get("/api/v1/proposals/")
    page_list = client.get(f"/ops/{operation.code}/proposals/")
    page_ask = client.post(f"/ops/{operation.code}/proposals/", {})
    page_apply = client.post(f"/proposals/{proposal.pk}/", {"assignment": ["0"]})

    assert (listed.status_code, listed.data["count"]) == (200, 0)
    assert (page_list.status_code, page_ask.status_code, page_apply.status_code) == (404, 404, 404)
    assert Proposal.objects.count() == 1
    assert nothing_placed()

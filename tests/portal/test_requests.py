import pytest
from django.urls import reverse

from tests.factories import RequestFactory, RequestLineFactory

pytestmark = pytest.mark.django_db


def test_the_request_page_shows_what_is_asked_but_not_the_internal_notes(pl_client):
    request = RequestFactory(country="PL", message="Please send mounted units.", internal_notes="Poland is slow.")
    RequestLineFactory(request=request, quantity=35)

    response = pl_client.get(reverse("portal:request_detail", args=[request.pk]))

    html = response.content.decode()
    assert "Please send mounted units." in html
    assert ">35<" in html
    assert "Poland is slow." not in html


def test_a_liaison_acknowledges_a_sent_request(pl_client, coordinator):
    request = RequestFactory(country="PL", status="sent")

    pl_client.post(reverse("portal:request_acknowledge", args=[request.pk]))

    request.refresh_from_db()
    assert request.status == "acknowledged"


def test_acknowledging_twice_shows_the_refusal(pl_client):
    request = RequestFactory(country="PL", status="acknowledged")

    response = pl_client.post(reverse("portal:request_acknowledge", args=[request.pk]), follow=True)

    assert "Cannot acknowledge" in response.content.decode()


def test_declining_needs_a_reason(pl_client):
    request = RequestFactory(country="PL", status="sent")

    response = pl_client.post(reverse("portal:request_decline", args=[request.pk]), {"reason": "  "})

    request.refresh_from_db()
    assert response.status_code == 200
    assert request.status == "sent"


def test_a_liaison_declines_a_request_with_a_reason(pl_client):
    request = RequestFactory(country="PL", status="sent")

    pl_client.post(reverse("portal:request_decline", args=[request.pk]), {"reason": "No officers available."})

    request.refresh_from_db()
    assert (request.status, request.status_reason) == ("declined", "No officers available.")


def test_the_home_page_marks_an_overdue_answer(pl_client):
    RequestFactory(country="PL", status="sent", response_due="2024-03-01")

    response = pl_client.get(reverse("portal:home"))

    assert 'class="overdue"' in response.content.decode()

from django.urls import reverse

from notifications.models import Notification
from reinforcements.models import ReinforcementRequest
from tests.factories import OperationFactory, RequestFactory, RequestLineFactory, specialty


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_coordinator_creates_a_draft_request_with_its_lines(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("request_create", args=[operation.code]),
        {"country": "PT", "authority": "interior", "period_start": "2024-07-10", "period_end": "2024-08-20",
         "line_public_order": "25", "line_k9_explosives": "2", "line_mounted": ""},
    )  # fmt: skip

    request = ReinforcementRequest.objects.get(country="PT")
    assert response.status_code == 302
    assert request.status == "draft"
    assert sorted((line.specialty.code, line.quantity) for line in request.lines.all()) == [
        ("k9_explosives", 2), ("public_order", 25),
    ]  # fmt: skip


def test_a_request_for_a_period_outside_the_operation_shows_the_field_error(client, coordinator):
    operation = OperationFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("request_create", args=[operation.code]),
        {"country": "PT", "authority": "interior", "period_start": "2024-07-10", "period_end": "2025-01-01",
         "line_public_order": "5"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "The period must lie within the operation" in str(response.context["form"].errors["period_end"])
    assert not ReinforcementRequest.objects.filter(country="PT").exists()


def test_sending_a_draft_tells_the_countrys_liaisons(client, coordinator, liaison_pl):
    request = RequestFactory(status="draft", country="PL")
    RequestLineFactory(request=request)
    client.force_login(coordinator)

    response = client.post(reverse("request_move", args=[request.pk, "send"]), follow=True)

    request.refresh_from_db()
    assert request.status == "sent"
    assert "Request sent" in messages_of(response)[0]
    assert Notification.objects.filter(recipient=liaison_pl, event="request_sent").exists()


def test_closing_a_draft_is_refused_with_the_reason_in_words(client, coordinator):
    request = RequestFactory(status="draft")
    client.force_login(coordinator)

    response = client.post(reverse("request_move", args=[request.pk, "close"]), follow=True)

    request.refresh_from_db()
    assert request.status == "draft"
    assert messages_of(response) == ["Cannot close this reinforcement request: it is draft."]


def test_cancelling_without_a_reason_is_refused(client, coordinator):
    request = RequestFactory(status="sent")
    client.force_login(coordinator)

    response = client.post(reverse("request_move", args=[request.pk, "cancel"]), {"reason": " "}, follow=True)

    request.refresh_from_db()
    assert request.status == "sent"
    assert messages_of(response) == ["Give a reason."]


def test_the_move_buttons_shown_are_only_the_legal_ones(client, coordinator):
    request = RequestFactory(status="sent")
    client.force_login(coordinator)

    html = client.get(reverse("request_detail", args=[request.pk])).content.decode()

    assert "Send to the country" not in html
    assert "Yes, close the request" in html
    assert "Yes, cancel the request" in html
    assert "Amend" in html


def test_amending_a_sent_request_tells_the_liaisons(client, coordinator, liaison_pl):
    request = RequestFactory(status="sent", country="PL")
    RequestLineFactory(request=request, quantity=20)
    client.force_login(coordinator)

    client.post(
        reverse("request_edit", args=[request.pk]),
        {"response_due": "2024-03-05", "period_start": "2024-07-10", "period_end": "2024-08-20",
         "message": "Now 30, please.", "line_public_order": "30"},
    )  # fmt: skip

    assert request.lines.get().quantity == 30
    assert Notification.objects.filter(recipient=liaison_pl, event="request_amended").exists()


def test_the_requests_list_filters_by_specialty_and_sorts_by_quantity(client, viewer):
    operation = OperationFactory()
    for country, quantity in [("DE", 10), ("ES", 30), ("IT", 20)]:
        RequestLineFactory(request__operation=operation, request__country=country, quantity=quantity)
    RequestLineFactory(request__operation=operation, request__country="BE", specialty=specialty("mounted"), quantity=99)
    client.force_login(viewer)

    response = client.get(
        reverse("request_list", args=[operation.code]), {"specialty": "public_order", "sort": "-requested"}
    )

    assert [r.country for r in response.context["page_obj"]] == ["ES", "IT", "DE"]


def test_the_requests_export_honours_the_filters(client, viewer):
    operation = OperationFactory()
    RequestFactory(operation=operation, country="DE", status="sent")
    RequestFactory(operation=operation, country="ES", status="draft")
    client.force_login(viewer)

    response = client.get(reverse("request_export", args=[operation.code]), {"status": "sent", "format": "csv"})

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("Country,Country code,Authority,Status")
    assert [line.split(",")[1] for line in lines[1:]] == ["DE"]


def test_an_htmx_filter_request_gets_only_the_results_fragment(client, viewer):
    operation = OperationFactory()
    RequestFactory(operation=operation, country="DE")
    client.force_login(viewer)

    response = client.get(
        reverse("request_list", args=[operation.code]), {"country": "DE"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Germany" in html
    assert "<header" not in html


def test_the_history_says_who_sent_the_request(client, coordinator):
    request = RequestFactory(status="draft")
    RequestLineFactory(request=request)
    client.force_login(coordinator)
    client.post(reverse("request_move", args=[request.pk, "send"]))

    response = client.get(reverse("request_detail", args=[request.pk]))

    newest = response.context["history"][0]
    assert (newest["who"], newest["change"]) == (coordinator, "status → Sent")


def test_an_export_never_hands_a_formula_to_a_spreadsheet(client, viewer):
    from tests.factories import PledgeFactory

    pledge = PledgeFactory(status="submitted", commander_name='=HYPERLINK("http://evil")')
    client.force_login(viewer)

    response = client.get(reverse("pledge_export", args=[pledge.request.operation.code]), {"format": "csv"})

    assert "'=HYPERLINK" in b"".join(response.streaming_content).decode()

"""`/api/v1/webhooks/` (SPEC §12): coordinators register and change hooks, viewers read them,
liaisons see none; bad input is a 400 that writes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deployments import bulk
from deployments.transitions import create_assignment
from notifications.models import Webhook, WebhookDelivery
from pledges.transitions import withdraw_pledge
from reinforcements.transitions import send_request
from tests.api.conftest import client_as
from tests.factories import RequestLineFactory, VenueFactory, WebhookFactory, accepted_line, at

pytestmark = pytest.mark.django_db
HOOK = {"url": "https://hooks.example.org/in", "events": ["pledge.submitted", "assignment.created"]}


@pytest.fixture
def strict(settings):
    """Production's rules: https and public addresses only."""
    settings.WEBHOOK_ALLOW_INSECURE = False


@pytest.fixture
def public_dns(monkeypatch):
    """hooks.example.org resolves to a public address (no network in tests)."""
    import socket

    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "hooks.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_a_coordinator_registers_a_hook_and_sees_its_secret_only_in_that_answer(coordinator, strict, public_dns):
    client = client_as(coordinator)

    response = client.post("/api/v1/webhooks/", HOOK, format="json")

    assert response.status_code == 201, response.data
    hook = Webhook.objects.get()
    assert response.data["secret"] == hook.secret
    assert hook.secret.startswith("whsec_") and len(hook.secret) == 70
    assert (hook.events, hook.is_active, hook.created_by) == (
        ["assignment.created", "pledge.submitted"],
        True,
        coordinator,
    )
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook.pk}/").data
    assert "secret" not in client.get("/api/v1/webhooks/").data["results"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.org/in", "events": ["*"]}, "url"),
        ({"url": "https://127.0.0.1/in", "events": ["*"]}, "url"),
        ({"url": "https://10.1.2.3/in", "events": ["*"]}, "url"),
        ({"url": "https://[::1]/in", "events": ["*"]}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data/", "events": ["*"]}, "url"),
        ({"url": "ftp://hooks.example.org/in", "events": ["*"]}, "url"),
        ({"url": "https://user:pw@hooks.example.org/in", "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.org/in", "events": ["pledge.eaten"]}, "events"),
        ({"url": "https://hooks.example.org/in", "events": []}, "events"),
        ({"url": "https://hooks.example.org/in", "events": "pledge.submitted"}, "events"),
        ({"url": "https://hooks.example.org/in"}, "events"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(coordinator, strict, public_dns, body, field):
    response = client_as(coordinator).post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not Webhook.objects.exists()


def test_a_plain_http_url_is_refused_in_the_callers_language(coordinator, strict):
    response = client_as(coordinator).post(
        "/api/v1/webhooks/", {**HOOK, "url": "http://hooks.example.org/in"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert response.data["url"] == ["Seules les URL https:// sont acceptées."]


def test_with_insecure_addresses_allowed_a_local_http_receiver_is_accepted(coordinator, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True

    response = client_as(coordinator).post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9999/in", "events": ["*"]}, format="json"
    )

    assert response.status_code == 201


def test_a_coordinator_disables_a_hook_and_enabling_it_again_starts_the_failure_count_again(coordinator):
    hook = WebhookFactory(consecutive_failures=4)
    client = client_as(coordinator)

    off = client.patch(f"/api/v1/webhooks/{hook.pk}/", {"is_active": False}, format="json")
    on = client.patch(f"/api/v1/webhooks/{hook.pk}/", {"is_active": True, "events": ["request.sent"]}, format="json")

    assert off.status_code == on.status_code == 200
    assert off.data["is_active"] is False and off.data["disabled_reason"] == "Disabled by coord."
    hook.refresh_from_db()
    assert (hook.is_active, hook.consecutive_failures, hook.disabled_reason, hook.events) == (
        True, 0, "", ["request.sent"],
    )  # fmt: skip


def test_a_coordinator_deletes_a_hook_with_its_log(coordinator):
    hook = WebhookFactory()
    WebhookDelivery.objects.create(webhook=hook, event="request.sent", payload={"object": {}, "data": {}})

    response = client_as(coordinator).delete(f"/api/v1/webhooks/{hook.pk}/")

    assert response.status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


def test_the_delivery_log_lists_what_moves_wrote_newest_first(coordinator, viewer):
    hook = WebhookFactory(events=["request.sent"])
    requests = [RequestLineFactory(request__status="draft", request__country=c).request for c in ("PL", "DE")]
    for request in requests:
        send_request(request.pk, actor=coordinator)

    response = client_as(viewer).get(f"/api/v1/webhooks/{hook.pk}/deliveries/")

    assert response.status_code == 200
    rows = response.data["results"]
    assert response.data["count"] == 2
    assert [row["event"] for row in rows] == ["request.sent", "request.sent"]
    assert rows[0]["id"] > rows[1]["id"]
    assert set(rows[0]) == {
        "id", "delivery_id", "event", "status", "status_code", "attempts", "error", "created_at", "last_attempt_at",
        "next_attempt_at", "delivered_at",
    }  # fmt: skip
    assert (rows[0]["status"], rows[0]["attempts"], rows[0]["status_code"]) == ("pending", 0, None)


def test_a_viewer_reads_hooks_but_may_not_register_one(viewer):
    WebhookFactory()
    client = client_as(viewer)

    assert client.get("/api/v1/webhooks/").data["count"] == 1
    response = client.post("/api/v1/webhooks/", HOOK, format="json")

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_a_liaison_sees_no_hook_and_no_log(liaison_pl):
    hook = WebhookFactory()
    client = client_as(liaison_pl)

    assert client.get("/api/v1/webhooks/").data["count"] == 0
    assert client.get(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
    assert client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").status_code == 404
    assert client.patch(f"/api/v1/webhooks/{hook.pk}/", {"is_active": False}, format="json").status_code == 404


def test_a_placement_writes_an_assignment_created_delivery_with_its_times_as_iso_8601(coordinator):
    hook = WebhookFactory(events=["assignment.created"])
    WebhookFactory(events=["assignment.cancelled"])
    line = accepted_line()
    venue = VenueFactory(operation=line.pledge.request.operation)

    assignment = create_assignment(
        actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 12), pledge_line=line, quantity=2
    )

    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event, delivery.status) == (hook, "assignment.created", "pending")
    assert delivery.payload["object"] == {"type": "assignment", "id": assignment.pk}
    data = delivery.payload["data"]
    assert data["status"] == "planned" and data["country"] == line.pledge.request.country
    assert dt.datetime.fromisoformat(data["starts_at"]) == at(26, 8)
    assert dt.datetime.fromisoformat(data["ends_at"]) == at(26, 12)


def queries_for(user, url):
    client = client_as(type(user).objects.get(pk=user.pk))  # no role cached from before
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.data["count"]


def test_the_hook_list_and_a_log_cost_the_same_queries_for_5_and_50_rows(coordinator):
    hook = WebhookFactory()

    def add(n):
        for _ in range(n):
            WebhookFactory()
            WebhookDelivery.objects.create(webhook=hook, event="request.sent", payload={"object": {}, "data": {}})

    add(5)
    few = [
        queries_for(coordinator, "/api/v1/webhooks/"),
        queries_for(coordinator, f"/api/v1/webhooks/{hook.pk}/deliveries/"),
    ]
    add(45)
    many = [
        queries_for(coordinator, "/api/v1/webhooks/"),
        queries_for(coordinator, f"/api/v1/webhooks/{hook.pk}/deliveries/"),
    ]

    assert [rows for _queries, rows in many] == [51, 50]
    # hooks: groups (role) · count · page; log: groups · the hook · count · page
    assert [queries for queries, _rows in few] == [queries for queries, _rows in many] == [3, 4]


@pytest.mark.parametrize("preview", [False, True])
def test_a_bulk_placement_gives_hooks_one_assignment_created_per_day_and_a_preview_none(coordinator, preview):
    hook = WebhookFactory(events=["assignment.created"])
    line = accepted_line(officers=10)
    venue = VenueFactory(operation=line.pledge.request.operation)

    result = bulk.place_on_days(
        actor=coordinator, venue=venue, pledge_line=line, quantity=1, from_time=dt.time(8), to_time=dt.time(12),
        from_date=dt.date(2024, 7, 26), to_date=dt.date(2024, 7, 28), preview=preview,
    )  # fmt: skip

    deliveries = WebhookDelivery.objects.filter(webhook=hook)
    if preview:
        assert not deliveries.exists()
    else:
        assert sorted(d.payload["object"]["id"] for d in deliveries) == sorted(a.pk for a in result.placed)
        assert {d.event for d in deliveries} == {"assignment.created"} and len(result.placed) == 3


def test_a_withdrawn_pledge_gives_hooks_its_withdrawal_and_each_cancelled_assignment(coordinator, liaison_pl):
    WebhookFactory(events=["pledge.withdrawn", "assignment.cancelled"])
    line = accepted_line(pledge__request__country="PL")
    venue = VenueFactory(operation=line.pledge.request.operation)
    placed = [
        create_assignment(
            actor=coordinator, venue=venue, starts_at=at(d, 8), ends_at=at(d, 12), pledge_line=line, quantity=1
        )
        for d in (26, 27)
    ]

    withdraw_pledge(line.pledge_id, actor=liaison_pl, reason="Needed at home")

    rows = WebhookDelivery.objects.order_by("pk")
    assert [(d.event, d.payload["object"]["id"]) for d in rows] == [
        ("assignment.cancelled", placed[0].pk), ("assignment.cancelled", placed[1].pk),
        ("pledge.withdrawn", line.pledge_id),
    ]  # fmt: skip
    assert rows[0].payload["data"] == {
        "country": "PL", "reason": "Pledge withdrawn: Needed at home", "status": "cancelled",
        "starts_at": "2024-07-26T06:00:00Z", "ends_at": "2024-07-26T10:00:00Z",
    }  # fmt: skip

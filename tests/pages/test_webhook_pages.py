"""The staff Webhooks page (SPEC §12): coordinators add, disable and delete hooks and read their log;
viewers read; the secret is shown once."""

import pytest
from django.urls import reverse

from notifications.models import Webhook, WebhookDelivery
from tests.factories import WebhookFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_adds_a_hook_and_sees_its_secret_once(client, coordinator, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    client.force_login(coordinator)

    response = client.post(reverse("webhooks"), {"url": "http://127.0.0.1:9000/in", "events": ["pledge.submitted"]})

    hook = Webhook.objects.get()
    assert response.status_code == 200
    assert hook.secret in response.content.decode()
    assert (hook.events, hook.created_by) == (["pledge.submitted"], coordinator)
    assert hook.secret not in client.get(reverse("webhooks")).content.decode()


def test_a_plain_http_hook_is_refused_on_the_page_in_french_and_nothing_is_written(client, coordinator, settings):
    settings.WEBHOOK_ALLOW_INSECURE = False
    client.force_login(coordinator)

    response = client.post(
        reverse("webhooks"), {"url": "http://hooks.example.org/in", "events": ["*"]}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 200
    assert "Seules les URL https:// sont acceptées." in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_coordinator_disables_then_enables_a_hook_from_its_page(client, coordinator):
    hook = WebhookFactory()
    client.force_login(coordinator)

    client.post(reverse("webhook_switch", args=[hook.pk]), {"on": "0"})
    hook.refresh_from_db()
    assert hook.is_active is False
    response = client.post(reverse("webhook_switch", args=[hook.pk]), {"on": "1"})

    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.is_active is True


def test_the_log_page_shows_each_delivery_with_its_status_code_in_french(client, viewer):
    hook = WebhookFactory()
    WebhookDelivery.objects.create(
        webhook=hook, event="pledge.submitted", payload={"object": {}, "data": {}}, status="failed",
        status_code=503, attempts=8, error="HTTP 503 Service Unavailable",
    )  # fmt: skip
    client.force_login(viewer)

    html = client.get(reverse("webhook_detail", args=[hook.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Livraisons" in html and "Échec" in html
    assert "503" in html and "HTTP 503 Service Unavailable" in html
    assert "Désactiver" not in html  # a viewer changes nothing


def test_a_coordinator_deletes_a_hook(client, coordinator):
    hook = WebhookFactory()
    client.force_login(coordinator)

    response = client.post(reverse("webhook_delete", args=[hook.pk]))

    assert response.status_code == 302
    assert not Webhook.objects.exists()

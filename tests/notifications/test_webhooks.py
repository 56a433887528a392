"""Webhook deliveries to a real receiver, through the real Celery worker (SPEC §12): signed, retried,
disabled after repeated failure, never lost and never sent twice."""

import datetime as dt
import json
import re
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification, WebhookDelivery
from notifications.webhook_delivery import attempt, claim, deliver_webhook, post, sweep_webhooks
from notifications.webhooks import EVENTS, PEOPLE_ONLY, signature
from reinforcements.transitions import send_request
from tests.factories import RequestLineFactory, WebhookFactory
from tests.notifications.conftest import wait_until

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fast(settings, empty_queue):
    settings.WEBHOOK_RETRY_BACKOFF = 0.05
    settings.WEBHOOK_ALLOW_INSECURE = True


def send_a_request(coordinator):
    request = RequestLineFactory(request__status="draft").request
    send_request(request.pk, actor=coordinator)
    return request


def readme_verify():
    """The `verify` function exactly as the README's Webhooks section prints it."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(code, namespace)
    return code, namespace["verify"]


def test_a_move_posts_one_signed_delivery_to_a_hook_listening_to_its_event(fast, celery_worker, receiver, coordinator):
    hook = WebhookFactory(url=receiver.url, events=["request.sent"])
    WebhookFactory(url=receiver.url, events=["pledge.submitted"])  # not listening: gets nothing

    request = send_a_request(coordinator)

    assert wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").count() == 1)
    celery_worker.drain()
    [(_path, headers, body)] = receiver.posts
    document = json.loads(body)
    delivery = WebhookDelivery.objects.get()
    assert document == {
        "id": str(delivery.uuid), "event": "request.sent",
        "created_at": delivery.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "object": {"type": "reinforcementrequest", "id": request.pk},
        "data": {"country": request.country, "status": "sent"},
    }  # fmt: skip
    assert headers["X-Reinforcements-Delivery"] == str(delivery.uuid)
    assert headers["X-Reinforcements-Event"] == "request.sent"
    assert headers["X-Reinforcements-Signature"] == signature(hook.secret, headers["X-Reinforcements-Timestamp"], body)
    assert (delivery.webhook_id, delivery.status_code, delivery.attempts, delivery.error) == (hook.pk, 200, 1, "")


def test_the_readme_verification_code_accepts_a_real_delivery_and_refuses_a_forged_one(
    fast, celery_worker, receiver, coordinator
):
    hook = WebhookFactory(url=receiver.url, events=["*"])
    code, verify = readme_verify()

    send_a_request(coordinator)

    assert wait_until(lambda: len(receiver.posts) == 1)
    _path, headers, body = receiver.posts[0]
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    assert verify(hook.secret, headers, body) is True
    assert verify(hook.secret, headers, body.replace(b'"sent"', b'"closed"')) is False
    assert verify("whsec_someone_else", headers, body) is False


def test_a_delivery_answered_500_is_retried_and_then_delivered_with_the_same_id(
    fast, celery_worker, receiver, coordinator
):
    hook = WebhookFactory(url=receiver.url)
    receiver.answers = [500]

    send_a_request(coordinator)

    assert wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").exists())
    first, second = receiver.posts
    assert first[1]["X-Reinforcements-Delivery"] == second[1]["X-Reinforcements-Delivery"]
    assert first[2] == second[2]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.status_code, delivery.error) == (2, 200, "")
    hook.refresh_from_db()
    assert (hook.is_active, hook.consecutive_failures) == (True, 0)


def test_a_hook_failing_again_and_again_is_disabled_and_every_coordinator_is_told(
    fast, settings, celery_worker, receiver, coordinator, coordinators
):
    settings.WEBHOOK_DISABLE_AFTER, settings.WEBHOOK_MAX_ATTEMPTS = 3, 6
    hook = WebhookFactory(url=receiver.url)
    receiver.answers = [500] * 20

    send_a_request(coordinator)

    assert wait_until(lambda: WebhookDelivery.objects.filter(status="failed").exists())
    celery_worker.drain()
    hook.refresh_from_db()
    assert hook.is_active is False
    assert "3 failed deliveries" in hook.disabled_reason
    assert len(receiver.posts) == 3  # nothing more once it is off
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.status_code, delivery.error) == (3, 500, "The webhook is disabled.")
    told = Notification.objects.filter(event="webhook_disabled", channel="in_app")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(u.pk for u in [coordinator, *coordinators])
    assert told.get(recipient=coordinators[1]).subject.startswith("Webhook désactivé")
    assert wait_until(lambda: len([m for m in mail.outbox if "Webhook" in m.subject]) == 3)


def test_two_workers_trying_the_same_delivery_at_once_send_it_once(fast, receiver, coordinator):
    WebhookFactory(url=receiver.url)
    receiver.delay = 0.5  # the first try is still under way when the second starts
    with transaction.atomic():  # broker paused: nothing queued, the test drives the tries
        send_a_request(coordinator)
        transaction.get_connection().run_on_commit.clear()
    pk = WebhookDelivery.objects.get().pk
    outcomes = []

    def worker():
        outcomes.append(attempt(pk)[0])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["delivered", "skipped"]
    assert len(receiver.posts) == 1


def test_a_delivery_queued_again_and_swept_is_sent_once(fast, celery_worker, receiver, coordinator):
    WebhookFactory(url=receiver.url)
    send_a_request(coordinator)
    assert wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").exists())

    pk = WebhookDelivery.objects.get().pk
    deliver_webhook.delay(pk)  # a redelivered message, a sweep racing the after-commit hook
    deliver_webhook.delay(pk)
    sweep_webhooks.delay(older_than_seconds=0)
    celery_worker.drain()

    assert len(receiver.posts) == 1


def test_a_worker_killed_before_its_post_leaves_a_claim_the_sweeper_hands_back_once(
    fast, celery_worker, receiver, coordinator
):
    WebhookFactory(url=receiver.url)
    with transaction.atomic():
        send_a_request(coordinator)
        transaction.get_connection().run_on_commit.clear()
    pk = WebhookDelivery.objects.get().pk
    claim(pk)  # ... and the worker is SIGKILLed here

    deliver_webhook.delay(pk)  # the message comes back to another worker (acks_late)
    celery_worker.drain()
    assert receiver.posts == []
    assert WebhookDelivery.objects.get().status == "sending"
    WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_webhooks.delay(older_than_seconds=0)  # the claim has lapsed
    sweep_webhooks.delay(older_than_seconds=0)

    assert wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").exists())
    celery_worker.drain()
    assert len(receiver.posts) == 1
    assert WebhookDelivery.objects.get().attempts == 2


def test_a_rolled_back_move_writes_and_sends_nothing(fast, celery_worker, receiver, coordinator):
    WebhookFactory(url=receiver.url)

    with pytest.raises(RuntimeError), transaction.atomic():
        send_a_request(coordinator)
        raise RuntimeError("the rest of the change failed")
    sweep_webhooks.delay(older_than_seconds=0)
    celery_worker.drain()

    assert not WebhookDelivery.objects.exists()
    assert receiver.posts == []


def test_a_disabled_hook_gets_no_delivery(fast, receiver, coordinator):
    WebhookFactory(url=receiver.url, is_active=False)

    send_a_request(coordinator)

    assert not WebhookDelivery.objects.exists()


def test_a_redirect_is_a_failed_try_and_is_not_followed(fast, receiver, coordinator):
    WebhookFactory(url=receiver.url)
    receiver.answers = [302]
    with transaction.atomic():
        send_a_request(coordinator)
        transaction.get_connection().run_on_commit.clear()

    outcome, retry_in = attempt(WebhookDelivery.objects.get().pk)

    assert (outcome, retry_in is not None) == ("retry", True)
    assert [path for path, _headers, _body in receiver.posts] == ["/hook"]
    assert WebhookDelivery.objects.get().status_code == 302


def test_without_insecure_addresses_allowed_a_local_hook_is_not_called(fast, settings, receiver, coordinator):
    WebhookFactory(url=receiver.url.replace("http://", "https://"))
    with transaction.atomic():
        send_a_request(coordinator)
        transaction.get_connection().run_on_commit.clear()
    settings.WEBHOOK_ALLOW_INSECURE = False

    status_code, error = post(WebhookDelivery.objects.select_related("webhook").get())

    assert (status_code, error) == (None, "This URL points at a private or local address.")
    assert receiver.posts == []


def test_every_event_people_are_told_of_can_be_heard_by_a_webhook():
    templates = ROOT / "notifications" / "templates" / "notifications" / "events"
    events = {p.stem for p in templates.glob("*.txt") if not p.stem.startswith(("_", "reminder_", "webhook_"))}

    assert events - PEOPLE_ONLY == set(EVENTS)


def test_a_worker_killed_after_its_post_leaves_a_retry_with_the_same_delivery_id_to_drop(fast, receiver, coordinator):
    WebhookFactory(url=receiver.url)
    with transaction.atomic():
        send_a_request(coordinator)
        transaction.get_connection().run_on_commit.clear()
    pk = WebhookDelivery.objects.get().pk
    claimed, _outcome = claim(pk)
    post(claimed)  # the receiver has it; the worker dies before it records so

    WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_webhooks(older_than_seconds=3600)  # hands the lapsed claim back, queues nothing yet
    outcome, _retry_in = attempt(pk)

    assert outcome == "delivered"
    first, second = (headers["X-Reinforcements-Delivery"] for _path, headers, _body in receiver.posts)
    assert first == second == str(WebhookDelivery.objects.get().uuid)

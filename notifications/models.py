import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message, and the outbox row for its email (SPEC §6)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=50)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the email is next due to be tried: now when written, later after a failure (backoff).
    # The sweeper re-queues pending rows some time past it: what a broker outage or a lost retry left.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("about (type)")
    )
    object_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    subject_object = GenericForeignKey("content_type", "object_id")
    # Reminders carry "<rule>:<object>:<day>" so the same reminder reaches a person once a day.
    dedup_key = models.CharField(_("reminder key"), max_length=200, null=True, blank=True)

    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="notification_updated"),
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notif_pending"),
            # A person's newest first (inbox, portal): without it the planner walked created_at for
            # every recipient (180 ms for a big country's liaison at games scale; 0.1 ms with it).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_newest"),
            models.Index(fields=["content_type", "object_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedup_key"],
                name="notifications_notification_once_per_key",
                violation_error_message=_("This reminder was already sent today."),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient}"


class Webhook(models.Model):
    """An integrating system's HTTPS endpoint, told of the events it chose (SPEC §12)."""

    url = models.URLField(_("URL"), max_length=500)
    # Webhook event names (notifications.webhooks.EVENTS) or ["*"]; checked there, in one place.
    events = ArrayField(models.CharField(max_length=50), verbose_name=_("events"))
    # Kept readable: every delivery is signed with it. Shown once, in the answer that creates the hook.
    secret = models.CharField(_("secret"), max_length=100)
    is_active = models.BooleanField(_("enabled"), default=True)
    # Failed attempts since the last success; at WEBHOOK_DISABLE_AFTER the hook is switched off.
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_reason = models.CharField(_("why it is disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(events=[]),
                name="notifications_webhook_has_events",
                violation_error_message=_("Choose at least one event."),
            ),
        ]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook: the outbox row of an HTTP POST, written with the change (SPEC §12)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # Claimed by one worker, its POST under way: no other worker touches the row.
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    event = models.CharField(_("event"), max_length=50)
    # The body's `object` and `data`, fixed when the change commits: every try sends the same body.
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    # Pending: when the next try is due. Sending: when the claim lapses (a worker that died mid-try;
    # the sweeper hands the row back). Delivered or failed: none.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The sweeper's scan: rows still to send, or claimed by a worker that never finished.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="notif_webhook_delivery_due",
            ),
            models.Index(fields=["webhook", "-created_at", "-id"], name="notif_webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook}"

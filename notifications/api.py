"""The caller's own in-app notifications (SPEC §7) and the webhooks (SPEC §12) over REST."""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.moves import move
from core.api.permissions import RoleWrites
from core.api.schema import ApiSchema
from notifications.filters import NotificationFilter
from notifications.models import Notification, Webhook, WebhookDelivery
from notifications.reading import mark_all_read, mark_read, own_notifications
from notifications.webhooks import (
    ALL,
    EVENTS,
    WEBHOOK_EVENTS,
    change_webhook,
    delete_webhook,
    register_webhook,
    visible_webhooks,
)


class NotificationSerializer(serializers.ModelSerializer):
    about = serializers.SerializerMethodField(help_text="The kind of object this is about, e.g. pledge.")

    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "url", "created_at", "read_at", "about", "object_id", "updated_at"]
        read_only_fields = fields

    def get_about(self, obj) -> str | None:
        return obj.content_type.model if obj.content_type_id else None


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first; `?unread=true` for the unread ones."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    schema = ApiSchema()

    def get_queryset(self):
        return own_notifications(self.request.user).select_related("content_type")

    @move(response=NotificationSerializer)
    def read(self, request, pk=None):
        """Mark one notification read (again reading it changes nothing)."""
        return Response(self.get_serializer(mark_read(self.get_object())).data)

    @extend_schema(
        request=None, responses={200: inline_serializer("ReadAll", fields={"marked": serializers.IntegerField()})}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of the caller read."""
        return Response({"marked": mark_all_read(request.user)})


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[ALL, *WEBHOOK_EVENTS]), allow_empty=False, max_length=len(EVENTS) + 1,
        help_text='Event names, or ["*"] for every event.',
    )  # fmt: skip
    is_active = serializers.BooleanField(required=False, help_text="False stops deliveries; true sends again.")

    class Meta:
        model = Webhook
        fields = [
            "id", "url", "events", "is_active", "consecutive_failures", "disabled_reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["consecutive_failures", "disabled_reason", "created_at", "updated_at"]

    def create(self, validated_data):
        return register_webhook(
            actor=self.context["request"].user, url=validated_data["url"], events=validated_data["events"]
        )

    def update(self, instance, validated_data):
        return change_webhook(instance.pk, actor=self.context["request"].user, **validated_data)


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (README, Webhooks). Shown in this answer only: keep it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    delivery_id = serializers.UUIDField(
        source="uuid", read_only=True, help_text="The X-Reinforcements-Delivery header."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "delivery_id", "event", "status", "status_code", "attempts", "error", "created_at", "last_attempt_at",
            "next_attempt_at", "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookViewSet(viewsets.ModelViewSet):
    """HTTPS endpoints told of events (SPEC §12). Coordinators register, change and delete them;
    viewers read them; liaisons see none. Each delivery is signed: README, Webhooks."""

    serializer_class = WebhookSerializer
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_webhooks(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return NewWebhookSerializer
        if self.action == "deliveries":
            return WebhookDeliverySerializer
        return WebhookSerializer

    @extend_schema(
        request=WebhookSerializer, responses={201: NewWebhookSerializer},
        examples=[OpenApiExample("hook", value={"url": "https://example.org/hooks/reinforcements", "events": ["pledge.submitted", "assignment.created"]}, request_only=True)],
    )  # fmt: skip
    def create(self, request, *args, **kwargs):
        """Register a hook; the answer carries its `secret`, shown this once."""
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        delete_webhook(instance.pk, actor=self.request.user)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        """The hook's delivery log, newest first: event, status, last status code, attempts, times, error."""
        rows = self.get_object().deliveries.order_by("-created_at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

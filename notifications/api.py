"""The caller's own in-app notifications over REST (SPEC §7)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.moves import move
from core.api.schema import ApiSchema
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.reading import mark_all_read, mark_read, own_notifications


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

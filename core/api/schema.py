"""The OpenAPI schema class every view uses: each operation documents the error shapes of SPEC §7."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="not_authenticated, permission_denied, not_found, throttled, …")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(
        help_text="invalid_transition, capacity_exceeded, k9_overlap, outside_availability, k9_not_ready, …"
    )


FIELD_ERRORS = inline_serializer(
    "FieldErrors",
    fields={"non_field_errors": serializers.ListField(child=serializers.CharField(), required=False)},
)


class ApiSchema(AutoSchema):
    """Adds 400/401/403/404/409 to each operation so clients (and schemathesis) know every answer."""

    def _is_list_view(self, serializer=None):
        # A viewset's `list` that answers one object (coverage) must not be described as an array.
        if getattr(self.view, "answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"401": DetailSerializer, "403": DetailSerializer, "404": DetailSerializer, "400": FIELD_ERRORS}
        if self.method != "GET":
            errors["409"] = ConflictSerializer
        if getattr(self.view, "throttle_scope", None):
            errors["429"] = DetailSerializer
        for code, serializer in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(serializer, code, direction=direction)
        return responses

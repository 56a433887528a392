"""Lifecycle moves over REST: `POST .../{id}/<move>/`, their bodies and how they are parsed."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from core.text import multiline


def move(body=None, *, response=None, examples=(), description="", **kwargs):
    """A lifecycle move: `POST .../{id}/<name>/`, role checked by the transition it calls."""

    def decorate(func):
        # extend_schema goes outside @action, as drf-spectacular reads it from the action's kwargs
        routed = action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **kwargs)(func)
        return extend_schema(
            request=body,
            responses={200: response} if response else None,
            examples=list(examples),
            description=description or (func.__doc__ or "").strip(),
        )(routed)

    return decorate


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default="", validators=[multiline]
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="", validators=[multiline])


REASON_EXAMPLE = OpenApiExample("reason", value={"reason": "The contingent is needed at home."}, request_only=True)


def parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

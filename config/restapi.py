"""Shared pieces of every app's `api.py`: error documentation in the schema, role permissions,
lifecycle-move actions, scoped related fields and history-recording CRUD (API tokens: accounts.api)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import page_not_found
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from reinforcements.history import save_by
from reinforcements.roles import is_coordinator, liaison_country

# --- Schema: every operation documents the error shapes of SPEC §7 -----------------------------


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="invalid_transition, capacity_exceeded, k9_overlap, outside_availability, …")


FIELD_ERRORS = inline_serializer(
    "FieldErrors",
    fields={"non_field_errors": serializers.ListField(child=serializers.CharField(), required=False)},
)


class ApiSchema(AutoSchema):
    """Adds 400/401/403/404/409 to each operation so clients (and schemathesis) know every answer."""

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


# --- Permissions -----------------------------------------------------------------------------


def _role_ok(user, role: str, obj=None) -> bool:
    if role == "coordinator":
        return is_coordinator(user)
    country = liaison_country(user)
    return bool(country) and (obj is None or getattr(obj, "country", country) == country)


class RoleWrites(BasePermission):
    """Reading follows visibility (querysets); creating, editing and deleting need the view's
    `write_role`. Detail writes are checked on the object, after the lookup, so that what a
    liaison cannot see stays a 404 rather than a 403. Moves (actions) check roles in transitions."""

    message = gettext_lazy("Your role may not change this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or view.detail:
            return True
        return _role_ok(request.user, view.write_role)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or _role_ok(request.user, view.write_role, obj)


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
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


REASON_EXAMPLE = OpenApiExample("reason", value={"reason": "The contingent is needed at home."}, request_only=True)


def parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Serializer helpers ----------------------------------------------------------------------


class ScopedQuerysetMixin:
    """A related field whose choices are what the caller may see (a hidden id is just invalid)."""

    def __init__(self, *, scope, **kwargs):
        # `queryset` (all rows) only tells the schema the model; choices come from `scope(user)`.
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.scope(user) if user is not None else self.queryset.none()


class ScopedPrimaryKeyField(ScopedQuerysetMixin, serializers.PrimaryKeyRelatedField):
    pass


class ScopedSlugField(ScopedQuerysetMixin, serializers.SlugRelatedField):
    pass


def history_save(instance, request):
    """CRUD writes record who made them, like the moves do (reinforcements.history)."""
    instance.full_clean()
    return save_by(instance, request.user)


class HistoryModelSerializer(serializers.ModelSerializer):
    """Plain CRUD: the model's own clean() and constraints run, and history gets the user."""

    def create(self, validated_data):
        return history_save(self.Meta.model(**validated_data), self.context["request"])

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return history_save(instance, self.context["request"])


class HistoryDestroyMixin:
    def perform_destroy(self, instance):
        instance._history_user = self.request.user
        instance.delete()


def not_found(request, exception=None):
    """404 for unmatched URLs: JSON under /api/ (SPEC §7 error shape), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)

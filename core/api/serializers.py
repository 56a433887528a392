"""Serializer helpers: related fields scoped to what the caller may see, CRUD that records who."""

from rest_framework import serializers

from core.history import save_by


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
    """CRUD writes record who made them, like the moves do (core.history)."""
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

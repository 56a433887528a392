"""Serializers that write objects out through fields built once per class, not once per request.

DRF builds a serializer's fields on every request (a ModelSerializer introspects its model and
deep-copies the declared fields, nested serializers and all), then reads every field of every
row through generic code. For a page of pledges with their lines and teams that was a third of
the request. `ReadPlanMixin` builds the readable fields once per serializer class, the very
field objects DRF would build, and writes each object with them: the same output, and the same
OpenAPI schema, which drf-spectacular reads from the fields as before. Validation and saving are
untouched: they build their fields per request, with the request in their context.

A plan is shared by every request, so only fields that need no context can be in it: plain
fields, primary-key and slug related fields, nested serializers. Any other field (a method
field, a hyperlink) is refused when the plan is built; and the fields must not depend on the
serializer's arguments or context.
"""

from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models.manager import BaseManager
from rest_framework import relations, serializers
from rest_framework.fields import Field, SkipField

_RELATIONS = (relations.PrimaryKeyRelatedField, relations.SlugRelatedField)


def _model_path(model, attrs) -> bool:
    """Is `a.b.c` a path of model fields (foreign keys, then a column or a related set)? Then reading
    it is a plain attribute chain: no dict to index, no callable to call, as DRF checks for."""
    for attr in attrs:
        if model is None:
            return False
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        forward = field.concrete and field.is_relation and (field.many_to_one or field.one_to_one)
        model = field.related_model if forward else None
    return bool(attrs)


def _reader(field, model, prefetched=None):
    """`field.get_attribute`, or an attribute chain where that gives the same value. A chain that
    fails (a null key on the way, a missing row) goes back to DRF, which answers None, the default,
    leaves the field out or raises, as it would have. A nested list with a `prefetched` attribute
    reads that list when the object has it (Prefetch(to_attr=...)), else its relation."""
    generic = field.get_attribute
    pk_only = isinstance(field, relations.RelatedField) and field.use_pk_only_optimization()
    own = type(field).get_attribute in (Field.get_attribute, relations.RelatedField.get_attribute)
    if prefetched:
        chain = attrgetter(prefetched)
    elif pk_only or not own or not _model_path(model, field.source_attrs):
        return generic
    else:
        chain = attrgetter(".".join(field.source_attrs))

    def read(instance):
        try:
            return chain(instance)
        except Exception:
            return generic(instance)

    return read


def _step(field, model, prefetched):
    """(name, read the value off the object, write the value out) for one readable field."""
    if isinstance(field, serializers.ListSerializer):
        read = _reader(field, model, prefetched.get(field.field_name))
        child = plan(field.child)

        def write_many(data):
            return [child(item) for item in (data.all() if isinstance(data, BaseManager) else data)]

        return field.field_name, read, write_many
    read = _reader(field, model)
    if isinstance(field, serializers.BaseSerializer):
        return field.field_name, read, plan(field)
    related = field.child_relation if isinstance(field, relations.ManyRelatedField) else field
    if isinstance(field, serializers.SerializerMethodField) or (
        isinstance(related, relations.RelatedField) and not isinstance(related, _RELATIONS)
    ):
        raise ImproperlyConfigured(f"{type(field).__name__} `{field.field_name}` needs a request: no read plan.")
    return field.field_name, read, field.to_representation


def plan(serializer):
    """A function writing one object out as `serializer.to_representation` does (DRF's loop, fields
    already built): None stays None, a field whose value is missing and not required is left out."""
    meta = getattr(serializer, "Meta", None)
    model, prefetched = getattr(meta, "model", None), getattr(meta, "prefetched_lists", {})
    steps = [_step(field, model, prefetched) for field in serializer._readable_fields]

    def represent(instance):
        out = {}
        for name, read, write in steps:
            try:
                value = read(instance)
            except SkipField:
                continue
            if value is None or (isinstance(value, relations.PKOnlyObject) and value.pk is None):
                out[name] = None
            else:
                out[name] = write(value)
        return out

    return represent


class ReadPlanMixin:
    # For a serializer class whose readable fields do not depend on the request (see above).
    # `Meta.prefetched_lists` may name, per nested list field, the attribute a
    # `Prefetch(..., to_attr=...)` fills: a page then reads plain lists, not a queryset per row.
    # (Comments, not a docstring: drf-spectacular would take it for the serializer's description.)

    def to_representation(self, instance):
        cls = type(self)
        represent = cls.__dict__.get("_read_plan")
        if represent is None:
            # Two requests racing here both build a plan; either is right.
            represent = cls._read_plan = plan(cls())
        return represent(instance)

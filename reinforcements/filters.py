"""FilterSets for requests and operations, shared by the API and the pages.

Choices of related filters come from the caller's visibility, so a filter never confirms
that something hidden exists.
"""

import datetime as dt

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField

from reinforcements.models import ReinforcementRequest, Specialty
from reinforcements.queries import visible_operations


def user_of(request):
    return getattr(request, "user", None) or AnonymousUser()


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant, given back in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python
    accepts. Converting in the field (not the filter) holds for filters with a `method` too."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            return value.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError(_("This instant is out of range."), code="invalid") from exc


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


def operation_choices(request):
    return visible_operations(user_of(request))


def operation_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=operation_choices, to_field_name="code", label="operation (code)"
    )


def specialty_filter(field_name: str, **kwargs):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Specialty.objects.all(),
        to_field_name="code",
        label="specialty (code)",
        **kwargs,
    )


class OperationFilter(django_filters.FilterSet):
    starts_after = django_filters.DateFilter(field_name="ends_on", lookup_expr="gte", label="ends on or after")
    ends_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte", label="starts on or before")

    class Meta:
        model = ReinforcementRequest.operation.field.related_model
        fields = ["host_country"]


class RequestFilter(django_filters.FilterSet):
    operation = operation_filter("operation")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    authority = django_filters.ChoiceFilter(choices=ReinforcementRequest.Authority.choices)
    status = django_filters.MultipleChoiceFilter(choices=ReinforcementRequest.Status.choices)
    specialty = specialty_filter("lines__specialty", distinct=True)
    response_due_before = django_filters.DateFilter(field_name="response_due", lookup_expr="lte")

    class Meta:
        model = ReinforcementRequest
        fields = ["operation", "country", "authority", "status", "specialty"]

"""FilterSets for pledges, shared by the API and the pages."""

import django_filters

from pledges.models import Pledge
from reinforcements.filters import InstantFilter, operation_filter, specialty_filter, user_of
from reinforcements.models import ReinforcementRequest
from reinforcements.queries import visible_requests


class PledgeFilter(django_filters.FilterSet):
    request = django_filters.ModelChoiceFilter(queryset=lambda request: visible_requests(user_of(request)))
    operation = operation_filter("request__operation")
    country = django_filters.CharFilter(field_name="request__country", lookup_expr="iexact")
    authority = django_filters.ChoiceFilter(
        field_name="request__authority", choices=ReinforcementRequest.Authority.choices
    )
    status = django_filters.MultipleChoiceFilter(choices=Pledge.Status.choices)
    specialty = specialty_filter("lines__specialty", distinct=True)
    has_k9_teams = django_filters.BooleanFilter(
        field_name="k9_teams", lookup_expr="isnull", exclude=True, distinct=True
    )
    submitted_after = InstantFilter(field_name="submitted_at", lookup_expr="gte")

    class Meta:
        model = Pledge
        fields = ["request", "operation", "country", "authority", "status", "specialty"]

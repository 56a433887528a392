"""FilterSets for pledges, shared by the API and the pages."""

import django_filters

from pledges.models import Amendment, K9Team, Pledge
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


class K9TeamFilter(django_filters.FilterSet):
    """K9 teams across countries (SPEC §3): by border readiness, detection and certification expiry."""

    operation = operation_filter("pledge__request__operation")
    country = django_filters.CharFilter(field_name="pledge__request__country", lookup_expr="iexact")
    detection = django_filters.MultipleChoiceFilter(choices=K9Team.Detection.choices)
    accepted = django_filters.BooleanFilter()
    ready = django_filters.BooleanFilter(
        method="filter_ready", label="ready (every paper the border asks for is recorded)"
    )
    ready_by = django_filters.DateFilter(method="filter_ready_by", label="ready to cross by this date")
    certification_expires_before = django_filters.DateFilter(field_name="certification_expires_on", lookup_expr="lt")

    class Meta:
        model = K9Team
        fields = ["operation", "country", "detection", "accepted"]

    def filter_ready(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(K9Team.PAPERS_COMPLETE) if value else queryset.exclude(K9Team.PAPERS_COMPLETE)

    def filter_ready_by(self, queryset, name, value):
        return queryset.filter(K9Team.PAPERS_COMPLETE, rabies_vaccinated_on__lte=value - K9Team.RABIES_WAIT)


class AmendmentFilter(django_filters.FilterSet):
    pledge = django_filters.NumberFilter(field_name="pledge_id")
    status = django_filters.ChoiceFilter(choices=Amendment.Status.choices)

    class Meta:
        model = Amendment
        fields = ["pledge", "status"]

"""FilterSets for venues, needs and assignments, shared by the API and the pages."""

import datetime as dt
import zoneinfo

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.countries import by_country_name
from deployments.models import Assignment, Venue, VenueNeed, VenuePair
from deployments.queries import visible_venues
from reinforcements.filters import InstantFilter, operation_filter, specialty_filter, user_of


def day_window(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """[day 00:00, next day 00:00) in the time zone `tz`: a day as people there say it (23 or 25 hours
    when the clocks change)."""
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time.min, zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone)
    return start, end


def venue_choices(request):
    return visible_venues(user_of(request))


class VenueFilter(django_filters.FilterSet):
    operation = operation_filter("operation")
    kind = django_filters.MultipleChoiceFilter(choices=Venue.Kind.choices)

    class Meta:
        model = Venue
        fields = ["operation", "kind", "code"]


class VenuePairFilter(django_filters.FilterSet):
    operation = operation_filter("venue_a__operation")
    venue = django_filters.NumberFilter(method="filter_venue", label=_("venue (either end)"))

    class Meta:
        model = VenuePair
        fields = ["operation", "venue"]

    def filter_venue(self, queryset, name, value):
        return queryset.filter(Q(venue_a_id=value) | Q(venue_b_id=value))


class _WindowFilter(django_filters.FilterSet):
    """`starts_after` / `ends_before` keep what lies inside a window (SPEC §7)."""

    starts_after = InstantFilter(field_name="starts_at", lookup_expr="gte")
    ends_before = InstantFilter(field_name="ends_at", method="filter_ends_before")

    def filter_ends_before(self, queryset, name, value):
        # starts_at < ends_at (a check constraint): bounding starts_at too gives an index on
        # (venue, starts_at) a closed range instead of everything after `starts_after`.
        return queryset.filter(ends_at__lte=value, starts_at__lt=value)

    def filter_venue_code(self, queryset, name, value):
        # The venue's ids first (a code is unique per operation): the planner reads the index on
        # (venue_id, starts_at) instead of joining the venue table.
        return queryset.filter(venue_id__in=list(Venue.objects.filter(code=value).values_list("id", flat=True)))


class VenueNeedFilter(_WindowFilter):
    operation = operation_filter("venue__operation")
    venue = django_filters.CharFilter(field_name="venue__code", label="venue (code)")
    venue_id = django_filters.ModelChoiceFilter(field_name="venue", queryset=venue_choices)
    specialty = specialty_filter("specialty")

    class Meta:
        model = VenueNeed
        fields = ["operation", "venue", "specialty"]


class AssignmentFilter(_WindowFilter):
    operation = operation_filter("venue__operation")
    country = django_filters.CharFilter(field_name="pledge__request__country", lookup_expr="iexact")
    authority = django_filters.CharFilter(field_name="pledge__request__authority")
    status = django_filters.MultipleChoiceFilter(choices=Assignment.Status.choices)
    venue = django_filters.CharFilter(method="filter_venue_code", label="venue (code)")
    venue_id = django_filters.ModelChoiceFilter(field_name="venue", queryset=venue_choices)
    specialty = specialty_filter("pledge_line__specialty", method="filter_specialty")
    kind = django_filters.ChoiceFilter(
        choices=[("officers", "officers"), ("k9", "K9 teams")], method="filter_kind", label="officers or k9"
    )
    # Plain numbers, not choices: a hidden id filters to nothing instead of answering "invalid choice".
    pledge = django_filters.NumberFilter(field_name="pledge_id")
    pledge_line = django_filters.NumberFilter(field_name="pledge_line_id")
    k9_team = django_filters.NumberFilter(field_name="k9_team_id")

    class Meta:
        model = Assignment
        fields = ["operation", "country", "status", "venue", "specialty", "pledge", "pledge_line", "k9_team"]

    def filter_specialty(self, queryset, name, value):
        if value is None:
            return queryset
        if value.is_canine:
            # A K9 team carries a detection kind, and each canine specialty is `k9_<detection>`.
            return queryset.filter(k9_team__detection=value.code.removeprefix("k9_"))
        return queryset.filter(Q(pledge_line__specialty=value))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(k9_team__isnull=(value == "officers"))


class AssignmentListFilter(AssignmentFilter):
    """The assignments page: the API's filters, and `day`, what is at work that day in the operation's time
    zone (`timezone`)."""

    day = django_filters.DateFilter(method="filter_day")
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("country", _("Country A→Z")), ("-country", _("Country Z→A"))],
    )

    def __init__(self, *args, timezone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone = timezone

    def sort_by(self, queryset, name, value):
        """By the country's name in the reader's language, not its code (core.countries)."""
        by_name = by_country_name("pledge__request__country", descending=value == "-country")
        return queryset.order_by(by_name, "starts_at", "pk")

    def filter_day(self, queryset, name, value):
        start, end = day_window(value, self.timezone)
        return queryset.filter(starts_at__lt=end, ends_at__gt=start)

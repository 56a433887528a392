"""The requests page's filters: the API's (reinforcements.filters.RequestFilter) and a sort by its columns."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.countries import by_country_name, country_choices
from core.filterbar import Shown
from reinforcements.filters import RequestFilter

# Each sort, then the country's name (in the page's language) to break ties; "pk" keeps pages stable.
SORTS = {
    "country": ("authority",),
    "-country": ("authority",),
    "status": ("status",),
    "response_due": ("response_due",),
    "-response_due": ("-response_due",),
    "requested": ("requested",),
    "-requested": ("-requested",),
}


def request_order(sort: str) -> list:
    """order_by() terms of a request list sorted by `sort` (a SORTS key; unknown: by country)."""
    sort = sort if sort in SORTS else "country"
    by_name = by_country_name("country", descending=sort == "-country")
    if sort in ("country", "-country"):
        return [by_name, *SORTS[sort], "pk"]
    return [*SORTS[sort], by_name, "pk"]


class RequestListFilter(RequestFilter):
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        empty_label=None,
        choices=[
            ("country", _("Country A→Z")),
            ("-country", _("Country Z→A")),
            ("status", _("Status")),
            ("response_due", _("Response due, soonest")),
            ("-response_due", _("Response due, latest")),
            ("-requested", _("Most requested")),
            ("requested", _("Fewest requested")),
        ],
    )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*request_order(value))


def shown():
    return {
        "status": Shown(_("Status"), _("All statuses")),
        "authority": Shown(_("Authority"), _("All authorities")),
        "country": Shown(_("Country"), choices=country_choices()),
        "specialty": Shown(_("Specialty"), _("All specialties")),
        "sort": Shown(_("Sort")),
    }

"""The requests page's filters: the API's (reinforcements.filters.RequestFilter) and a sort by its columns."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.filterbar import Shown
from reinforcements.filters import RequestFilter

# sort -> order_by, a second key keeping equal rows in a stable order (pages, exports).
SORTS = {
    "country": ("country", "authority"),
    "-country": ("-country", "authority"),
    "status": ("status", "country"),
    "response_due": ("response_due", "country"),
    "-response_due": ("-response_due", "country"),
    "requested": ("requested", "country"),
    "-requested": ("-requested", "country"),
}


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
        return queryset.order_by(*SORTS[value])


def shown():
    return {
        "status": Shown(_("Status"), _("All statuses")),
        "authority": Shown(_("Authority"), _("All authorities")),
        "country": Shown(_("Country"), choices=country_choices()),
        "specialty": Shown(_("Specialty"), _("All specialties")),
        "sort": Shown(_("Sort")),
    }

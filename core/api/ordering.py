"""The API's `ordering`: DRF's OrderingFilter, plus `country_name` (A→Z) and `-country_name` on the lists
whose viewset names its country field (`country_field`): by the country's name in the caller's language
(Accept-Language), as the pages sort (core/countries.py)."""

from rest_framework import filters

from core.countries import by_country_name

COUNTRY_NAME = "country_name"


class OrderingFilter(filters.OrderingFilter):
    ordering_description = (
        "Field to sort by, `-field` for descending; several comma-separated. `country_name` sorts by the "
        "country's name in the language of the answer (Accept-Language), not by its code."
    )

    def get_valid_fields(self, queryset, view, context=None):
        fields = super().get_valid_fields(queryset, view, context or {})
        if getattr(view, "country_field", None):
            fields.append((COUNTRY_NAME, COUNTRY_NAME))
        return fields

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering or not any(term.lstrip("-") == COUNTRY_NAME for term in ordering):
            return super().filter_queryset(request, queryset, view)
        terms = [
            by_country_name(view.country_field, descending=term.startswith("-"))
            if term.lstrip("-") == COUNTRY_NAME
            else term
            for term in ordering
        ]
        return queryset.order_by(*terms, "pk")  # pk: a stable order across pages of one country

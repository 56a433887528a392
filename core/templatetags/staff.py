"""Template helpers for the staff pages: country names in the page's language, instants with their zone."""

import functools

from django import template
from django.utils import formats, timezone, translation

from core.countries import country_label

register = template.Library()


@register.filter
def country_name(code):
    return country_label(code)


@register.filter
def when(value):
    """An instant in the current time zone (Europe/Paris), with the zone: `Fri 26 July 08:00 CEST`."""
    return _local(value, "D j N H:i T") if value else ""


def _local(value, format_string):
    return _formatted(value, format_string, translation.get_language(), timezone.get_current_timezone_name())


@functools.lru_cache(maxsize=4096)
def _formatted(value, format_string, language, zone):
    """Pages print the same shift times hundreds of times (a planner day): each is formatted once."""
    return formats.date_format(timezone.localtime(value), format_string)


@register.filter
def day(value):
    """A date with the month in words, never ambiguous between English and French: `26 July 2024`."""
    return formats.date_format(value, "j N Y") if value else ""


@register.filter
def hm(value):
    return _local(value, "H:i") if value else ""


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None

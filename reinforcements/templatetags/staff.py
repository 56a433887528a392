"""Template helpers for the staff pages: country names in the page's language, instants with their zone."""

import functools
import gettext

import pycountry
from django import template
from django.utils import formats, timezone, translation

register = template.Library()


@register.filter
def country_name(code):
    return country_label(code)


def country_label(code) -> str:
    """The country's name in the active language (pycountry ships the ISO 3166 translations)."""
    return _country_label(code or "", translation.get_language() or "en")


@functools.lru_cache(maxsize=1024)
def _country_label(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    if language.startswith("en"):
        return name
    return _catalogue(language[:2]).gettext(name)


_catalogues: dict = {}


def _catalogue(language: str):
    if language not in _catalogues:
        _catalogues[language] = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
    return _catalogues[language]


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

"""Countries (ISO 3166-1 alpha-2): their names in the active language, and the choices of a form.

pycountry ships the ISO 3166 names and their translations; this is the only module that reads it."""

import functools
import gettext

import pycountry
from django.utils import translation
from django.utils.translation import gettext as _


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


def country_choices(blank=True):
    choices = sorted(((c.alpha_2, country_label(c.alpha_2)) for c in pycountry.countries), key=lambda c: c[1])
    return ([("", _("All countries"))] if blank else []) + choices

"""ISO codes people and clients write: countries (ISO 3166-1 alpha-2, assigned codes only) and
languages (ISO 639-1), and countries' names in the active language. pycountry ships the standards'
current lists and the names' translations; this is the only module that reads it."""

import functools
import gettext

import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
LANGUAGE_CODES = frozenset(language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2"))


def is_country(code) -> bool:
    return code in COUNTRY_CODES


def is_language(code) -> bool:
    return code in LANGUAGE_CODES


@deconstructible
class CountryCode:
    """An assigned ISO 3166-1 alpha-2 code in capitals: `PL` passes, `XX` and `pl` do not."""

    def __call__(self, value):
        if not is_country(value):
            raise ValidationError(
                _(
                    "“%(value)s” is not an ISO 3166-1 country code. Use an assigned two-letter code in capitals, e.g. PL."
                ),
                code="invalid_country",
                params={"value": value},
            )

    def __eq__(self, other):
        return isinstance(other, CountryCode)


@deconstructible
class LanguageCode:
    """An ISO 639-1 code in lower case: `pl` passes, `xx` and `PL` do not."""

    def __call__(self, value):
        if not is_language(value):
            raise ValidationError(
                _("“%(value)s” is not an ISO 639-1 language code. Use two lower-case letters, e.g. pl, en, fr."),
                code="invalid_language",
                params={"value": value},
            )

    def __eq__(self, other):
        return isinstance(other, LanguageCode)


country_code = CountryCode()
language_code = LanguageCode()


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
    return ([("", gettext_now("All countries"))] if blank else []) + choices

"""ISO codes people and clients write: countries (ISO 3166-1 alpha-2, assigned codes only) and
languages (ISO 639-1), and countries' names in the active language. pycountry ships the standards'
current lists and the names' translations; this is the only module that reads it."""

import functools
import gettext
import re
import unicodedata

import pycountry
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db.models import F, Func, IntegerField, OrderBy, TextField, Value
from django.db.models.functions import Cast
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


class LanguagesField(forms.CharField):
    """A form's list of ISO 639-1 codes, typed as people type them ("pl, EN fr"): lower-cased, each
    checked as `language_code` checks a model's, the list in the order given without repeats."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 639-1 codes separated by commas, e.g. pl,en,fr"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ",".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = ",".join(value)
        codes = [code.lower() for code in re.split(r"[\s,;]+", super().to_python(value) or "") if code]
        bad = [code for code in codes if not is_language(code)]
        if bad:
            raise ValidationError(
                _("Not an ISO 639-1 language code: %(codes)s. Use two-letter codes such as pl, en, fr.")
                % {"codes": ", ".join(bad)},
                code="invalid_language",
            )
        return list(dict.fromkeys(codes))


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
    choices = [(code, country_label(code)) for code in sorted_codes()]
    return ([("", gettext_now("All countries"))] if blank else []) + choices


# --- Sorting by the name shown ------------------------------------------------------------------
# Countries in the order of the names shown, in the active language (`country_label`): lists, exports,
# select boxes and the API's `ordering=country_name` all sort this way, never by ISO code.
#
# The database sorts by a rank: the code's place in the list of the 249 ISO codes sorted by name, built once
# per language. A rank rather than the names themselves, so PostgreSQL's collation cannot disagree with
# what the page shows, and a Games-size list (250,000 assignments) sorts by an integer.


def name_key(name: str) -> str:
    """How a person reads a list of names: accents and case aside (É with the E's, not after Z)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def country_sort_key(code: str) -> tuple:
    name = country_label(code)
    return name_key(name), name


def sorted_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code, by its name in the active language."""
    return list(_sorted_codes(translation.get_language() or "en"))


@functools.lru_cache(maxsize=8)
def _sorted_codes(language: str) -> tuple[str, ...]:
    with translation.override(language):
        return tuple(sorted(COUNTRY_CODES, key=country_sort_key))


def country_rank(field: str) -> Func:
    """An integer that sorts the rows by the name of the country in `field` (a code), in the active language:
    the code's place in sorted_codes(). Unknown codes sort last. One array_position() over one array
    parameter, not a CASE of 249 branches (~35 ms to build and compile a query, each time)."""
    return Func(
        Value(sorted_codes(), output_field=ArrayField(TextField())),
        Cast(F(field), TextField()),
        function="array_position",
        output_field=IntegerField(),
    )


def by_country_name(field: str, *, descending: bool = False) -> OrderBy:
    """An order_by() term: rows by the country name of `field`, A→Z (Z→A when descending)."""
    rank = country_rank(field)
    return rank.desc(nulls_first=True) if descending else rank.asc(nulls_last=True)

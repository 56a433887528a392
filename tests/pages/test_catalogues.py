"""The FR and EN catalogues are complete and compiled: a page never falls back to English in French."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def entries(po: Path):
    for block in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', re.search(r"^msgid ((?:\".*\"\n?)+)", body, re.M).group(1)))
        msgstrs = re.findall(r"^msgstr(?:\[\d\])? ((?:\".*\"\n?)+)", body, re.M)
        yield msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs], "#, fuzzy" in block


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_string_of_the_catalogue_is_translated_and_none_is_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"

    untranslated = [msgid for msgid, msgstrs, fuzzy in entries(po) if fuzzy or not all(msgstrs)]

    assert untranslated == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog

    singular = {msgid: msgstrs[0] for msgid, msgstrs, _fuzzy in entries(po) if len(msgstrs) == 1}

    assert all(catalog.get(msgid.replace('\\"', '"').replace("\\n", "\n")) for msgid in singular)

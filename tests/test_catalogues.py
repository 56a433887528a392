"""Every catalogue of the app (project, portal, notifications; FR and EN) is complete, compiled,
and has the last word on its own strings: a French page never falls back to English, and no
other catalogue (ours or a third-party app's) silently rewords a string in French."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from core.errors import MOVES, InvalidTransition
from pledges.transitions import withdraw_pledge
from tests.factories import PledgeFactory

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path.relative_to(BASE).as_posix()
    for pattern in ("locale/*/LC_MESSAGES/django.po", "*/locale/*/LC_MESSAGES/django.po")
    for path in BASE.glob(pattern)
)
FRENCH = [po for po in CATALOGUES if "/fr/" in po]
OUR_APPS = ("core", "reinforcements", "pledges", "deployments", "notifications", "staff", "portal", "demo")


def _unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def entries(po: str):
    """(context, msgid, msgid_plural, [msgstr...], fuzzy) for each live entry; obsolete (#~) ones are skipped."""
    for block in (BASE / po).read_text(encoding="utf-8").split("\n\n"):
        fields, current, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line):
                current = match.group(1)
                fields[current] = _unquote(match.group(2))
            elif current and line.startswith('"'):
                fields[current] += _unquote(line[1:-1])
        if fields.get("msgid"):  # the header has an empty msgid
            msgstrs = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), msgstrs, fuzzy


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%(?:\([a-z_0-9]+\))?[sdf]|\{[a-z_0-9]*\}", text.replace("%%", "")))


def keeps_placeholders(msgid: str, plural: str | None, msgstrs: list[str]) -> bool:
    if plural:  # a singular form may word the number ("une équipe"), never invent a placeholder
        return all(placeholders(msgstr) <= placeholders(msgid) | placeholders(plural) for msgstr in msgstrs)
    return placeholders(msgstrs[0]) == placeholders(msgid)


def test_every_app_catalogue_is_found():
    assert {"locale/fr/LC_MESSAGES/django.po", "portal/locale/fr/LC_MESSAGES/django.po",
            "notifications/locale/fr/LC_MESSAGES/django.po"} <= set(CATALOGUES)  # fmt: skip


@pytest.mark.parametrize("po", CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    untranslated = [msgid for _ctx, msgid, _plural, msgstrs, fuzzy in entries(po) if fuzzy or not all(msgstrs)]

    assert untranslated == []


@pytest.mark.parametrize("po", CATALOGUES)
def test_every_translation_keeps_the_placeholders_of_its_source(po):
    broken = [
        msgid for _ctx, msgid, plural, msgstrs, _fuzzy in entries(po) if not keeps_placeholders(msgid, plural, msgstrs)
    ]

    assert broken == []


@pytest.mark.parametrize("po", CATALOGUES)
def test_the_compiled_catalogue_is_exactly_its_source(po):
    with open(BASE / po.replace(".po", ".mo"), "rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled.pop("", None)

    source = {}
    for context, msgid, plural, msgstrs, _fuzzy in entries(po):
        key = f"{context}\x04{msgid}" if context else msgid
        if plural:
            source.update({(key, index): msgstr for index, msgstr in enumerate(msgstrs)})
        else:
            source[key] = msgstrs[0]

    assert compiled == source


@pytest.mark.parametrize("po", FRENCH)
def test_each_french_string_reads_as_its_own_catalogue_says(po):
    """Django merges catalogues: the project's wins over the apps', and apps listed first win over later ones."""
    with translation.override("fr"):
        overridden = []
        for context, msgid, plural, msgstrs, _fuzzy in entries(po):
            if plural:
                read = [translation.npgettext(context, msgid, plural, n) if context else
                        translation.ngettext(msgid, plural, n) for n in (1, 5)]  # fmt: skip
                expected = [msgstrs[0], msgstrs[-1]]
            else:
                read = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                expected = msgstrs[0]
            if read != expected:
                overridden.append((msgid, read, expected))

    assert overridden == []


def test_every_model_and_field_of_the_app_has_a_translatable_name():
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and not m.__name__.startswith("Historical")]
    untranslatable = [m.__name__ for m in models if not isinstance(m._meta.verbose_name, Promise)]
    untranslatable += [
        f"{m.__name__}.{f.name}"
        for m in models
        for f in m._meta.concrete_fields
        if not f.primary_key and not isinstance(f.verbose_name, Promise)
    ]

    assert untranslatable == []


def test_every_move_a_transition_refuses_has_a_translatable_label():
    sources = "".join(
        (BASE / app / "transitions.py").read_text() for app in ("reinforcements", "pledges", "deployments")
    )
    moves = set(re.findall(r'InvalidTransition\(\w+, "([^"]+)"\)', sources)) | set(re.findall(r'move="(\w+)"', sources))

    assert moves and moves <= set(MOVES)


@pytest.mark.django_db
def test_a_refused_move_reads_naturally_in_french(liaison_pl):
    pledge = PledgeFactory(request__country="PL", request__status="sent", status="withdrawn")

    with translation.override("fr"), pytest.raises(InvalidTransition) as refused:
        withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Plus nécessaire")

    assert refused.value.message == "Retrait impossible : offre de renfort au statut « retirée »."

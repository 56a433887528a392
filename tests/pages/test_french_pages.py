"""A staff page in French shows no English sentence of our catalogues: nothing is rendered
before the language is known, and no string escapes {% translate %}."""

import html
import re

import pytest

from tests.pages.test_pages_render import staff_urls
from tests.test_catalogues import CATALOGUES, entries, placeholders


def english_sentences() -> set[str]:
    """Our English strings of two words or more whose French differs (single words such as
    "Message" or "Notes" are the same in both languages)."""
    french = {}
    for po in CATALOGUES:
        if "/fr/" in po:
            french.update({msgid: msgstrs[0] for ctx, msgid, plural, msgstrs, _f in entries(po) if not plural})
    return {msgid for msgid, msgstr in french.items() if " " in msgid and msgstr != msgid and not placeholders(msgid)}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_every_staff_page_in_french_shows_no_english_sentence(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    client.cookies["django_language"] = "fr"
    sentences = english_sentences()

    leaks = {
        url: sorted(s for s in sentences if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", visible_text(page)))
        for url in staff_urls(world)
        if (page := client.get(url).content.decode())
    }

    assert {url: found for url, found in leaks.items() if found} == {}

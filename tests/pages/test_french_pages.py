"""A staff page in French shows no English sentence of our catalogues: nothing is rendered
before the language is known, and no string escapes {% translate %}."""

import html
import re

import pytest

from tests.pages.test_pages_render import staff_urls
from tests.test_catalogues import CATALOGUES, entries, placeholders


def english_sentences() -> set[str]:
    """Our English strings whose French differs: whole strings of two words or more, and the runs of
    three words or more between placeholders ("The certification of %(what)s expires on" gives
    "The certification of"). Single words such as "Message" or "Notes" are the same in both languages."""
    french = {}
    for po in CATALOGUES:
        if "/fr/" in po:
            french.update({msgid: msgstrs[0] for ctx, msgid, plural, msgstrs, _f in entries(po) if not plural})
    sentences = set()
    for msgid, msgstr in french.items():
        if msgstr == msgid:
            continue
        if not placeholders(msgid):
            if " " in msgid:
                sentences.add(msgid)
            continue
        for run in re.split(r"%(?:\([a-z_0-9]+\))?[sdf]|\{[a-z_0-9]*\}", msgid):
            run = run.strip(" .,:;()–-")
            if len(run.split()) >= 3:
                sentences.add(run)
    return sentences


def leaks_in(text: str, sentences: set[str]) -> list[str]:
    return sorted(s for s in sentences if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text))


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # English marked as English on purpose (the live board's headings stand in both languages).
    page = re.sub(r'<(span|small)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_every_staff_page_in_french_shows_no_english_sentence(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    client.cookies["django_language"] = "fr"
    sentences = english_sentences()

    leaks = {
        url: leaks_in(visible_text(page), sentences)
        for url in staff_urls(world)
        if (page := client.get(url).content.decode())
    }

    assert {url: found for url, found in leaks.items() if found} == {}

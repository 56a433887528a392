"""A liaison reading the portal in French meets no English sentence of our catalogues."""

from django.urls import reverse

from tests.pages.test_french_pages import english_sentences, leaks_in, visible_text


def test_every_portal_page_in_french_shows_no_english_sentence(pl_client, two_countries):
    pl = two_countries.pl
    pl_client.cookies["django_language"] = "fr"
    urls = [
        reverse("portal:home"),
        reverse("portal:request_detail", args=[pl.request.pk]),
        reverse("portal:pledge_new", args=[pl.request.pk]),
        reverse("portal:pledge_detail", args=[pl.pledge.pk]),
        reverse("portal:pledge_detail", args=[pl.draft.pk]),
        reverse("portal:pledge_edit", args=[pl.draft.pk]),
        reverse("portal:pledge_import", args=[pl.draft.pk]),
        reverse("portal:pledge_row", args=["lines"]),
        reverse("portal:pledge_row", args=["k9_teams"]),
        reverse("portal:deployments"),
        reverse("portal:deployments_print"),
        reverse("portal:assignment_detail", args=[pl.assignment.pk]),
    ]
    sentences = english_sentences()

    pages = {url: pl_client.get(url) for url in urls}
    leaks = {url: leaks_in(visible_text(response.content.decode()), sentences) for url, response in pages.items()}

    assert {url: response.status_code for url, response in pages.items()} == dict.fromkeys(urls, 200)
    assert {url: found for url, found in leaks.items() if found} == {}

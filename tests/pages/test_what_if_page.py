"""SPEC §10 "What if" on the staff pages: choose a country, pledge, line or team (and an instant), see the
needs that would fall short, nothing changed; linked from the staff menu; English and French."""

import pytest
from django.urls import reverse

from deployments.models import Assignment
from tests.factories import AssignmentFactory, VenueFactory, VenueNeedFactory, accepted_line, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def stade():
    """The Stade needs 10 officers on the 26th, 08:00–20:00: 6 Germans and 4 Poles cover it."""
    german = accepted_line(officers=20, pledge__request__country="DE")
    operation = german.pledge.request.operation
    polish = accepted_line(officers=20, pledge__request__country="PL", pledge__request__operation=operation)
    venue = VenueFactory(operation=operation, code="stade", name="Stade de France")
    VenueNeedFactory(venue=venue, quantity=10, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=german, quantity=6, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20))
    AssignmentFactory(pledge_line=polish, quantity=4, venue=venue, starts_at=at(26, 8), ends_at=at(26, 20))
    return {"operation": operation, "german": german}


def test_the_page_is_linked_from_the_menu_and_explains_itself(client, viewer, stade):
    client.force_login(viewer)
    url = reverse("what_if", args=[stade["operation"].code])

    html = client.get(reverse("dashboard", args=[stade["operation"].code])).content.decode()
    page = client.get(url).content.decode()

    assert f'href="{url}"' in html
    assert "Nothing is changed here" in page and 'value="DE"' in page


def test_germany_withdrawing_shows_the_stade_falling_short(client, viewer, stade):
    client.force_login(viewer)
    planned = list(Assignment.objects.values_list("id", "ends_at", "status"))

    html = client.get(reverse("what_if", args=[stade["operation"].code]), {"country": "DE"}).content.decode()

    assert "Stade de France" in html and "Falls short" in html
    assert "72.0 officer-hours lost" in html and "1 need newly short" in html
    assert list(Assignment.objects.values_list("id", "ends_at", "status")) == planned


def test_a_line_withdrawn_from_an_instant_is_cut_there(client, coordinator, stade):
    client.force_login(coordinator)

    html = client.get(
        reverse("what_if", args=[stade["operation"].code]),
        {"pledge_line": stade["german"].pk, "starts": "2024-07-26T14:00"},
    ).content.decode()

    assert "36.0 officer-hours lost (0 assignments lost, 1 cut short)" in html


def test_the_page_asks_for_exactly_one_thing_to_withdraw(client, coordinator, stade):
    client.force_login(coordinator)

    html = client.get(
        reverse("what_if", args=[stade["operation"].code]), {"country": "DE", "pledge_line": stade["german"].pk}
    ).content.decode()

    assert "Choose one thing to withdraw" in html and "what-if-answer" not in html


def test_an_unknown_line_is_said_on_its_field(client, coordinator, stade):
    client.force_login(coordinator)

    html = client.get(reverse("what_if", args=[stade["operation"].code]), {"pledge_line": 999999}).content.decode()

    assert "No officer line #999999 in this operation." in html


def test_the_page_speaks_french(client, viewer, stade):
    client.force_login(viewer)

    html = client.get(
        reverse("what_if", args=[stade["operation"].code]), {"country": "DE"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "Et si" in html and "heures-agent perdues" in html


def test_a_liaison_does_not_find_the_page(client, liaison_pl, stade):
    client.force_login(liaison_pl)

    assert client.get(reverse("what_if", args=[stade["operation"].code])).status_code == 404

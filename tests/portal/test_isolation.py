"""Generated from portal/urls.py: every object page, for the other country's object, is a 404
indistinguishable from a missing id; no page shows another country's data or internal notes.
A new URL with an id fails here until OBJECTS says which object it takes."""

import pytest
from django.urls import reverse

from portal.urls import urlpatterns

pytestmark = pytest.mark.django_db

# First path segment -> attribute of a country's world (tests/portal/conftest.py).
OBJECTS = {"requests": "request", "pledges": "draft", "assignments": "assignment", "notifications": "notification"}
OTHER_ARGS = {"kind": "lines", "fmt": "csv"}
OBJECT_PATTERNS = [p for p in urlpatterns if "pk" in p.pattern.converters]
ALL_PATTERNS = list(urlpatterns)


def _kwargs(pattern, world):
    if pattern.name == "duty_roster":  # the venue and day of the country's assignment
        venue = world.assignment.venue
        return {"op": venue.operation.code, "venue": venue.code, "day": "2024-07-26"}
    kwargs = {name: OTHER_ARGS[name] for name in pattern.pattern.converters if name != "pk"}
    if "pk" in pattern.pattern.converters:
        kwargs["pk"] = getattr(world, OBJECTS[str(pattern.pattern).split("/")[0]]).pk
    return kwargs


def test_every_object_url_names_the_object_it_takes():
    segments = {str(p.pattern).split("/")[0] for p in OBJECT_PATTERNS}

    assert segments <= set(OBJECTS)


@pytest.mark.parametrize("pattern", OBJECT_PATTERNS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_other_countrys_object_is_a_404_like_a_missing_one(pattern, method, pl_client, two_countries):
    foreign = reverse(f"portal:{pattern.name}", kwargs=_kwargs(pattern, two_countries.de))
    missing = reverse(f"portal:{pattern.name}", kwargs={**_kwargs(pattern, two_countries.de), "pk": 99_999_999})

    response = getattr(pl_client, method)(foreign)

    assert response.status_code == getattr(pl_client, method)(missing).status_code
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("pattern", OBJECT_PATTERNS, ids=lambda p: p.name)
def test_each_object_url_answers_404_to_some_method_for_the_other_country(pattern, pl_client, two_countries):
    foreign = reverse(f"portal:{pattern.name}", kwargs=_kwargs(pattern, two_countries.de))

    codes = {pl_client.get(foreign).status_code, pl_client.post(foreign).status_code}

    assert 404 in codes


@pytest.mark.parametrize("pattern", ALL_PATTERNS, ids=lambda p: p.name)
def test_no_page_shows_another_countrys_data_or_internal_notes(pattern, pl_client, two_countries):
    url = reverse(f"portal:{pattern.name}", kwargs=_kwargs(pattern, two_countries.pl))

    response = pl_client.get(url, follow=True)

    body = response.content.decode()
    assert response.status_code in (200, 405)
    for leak in ("DEUTSCH", "86421", "86422", "86423", "INTERNAL-NOTES"):
        assert leak not in body


def test_the_duty_roster_of_another_countrys_venue_day_is_a_404(pl_client, two_countries):
    venue = two_countries.de.assignment.venue
    foreign = reverse("portal:duty_roster", args=[venue.operation.code, venue.code, "2024-07-26"])

    assert pl_client.get(foreign).status_code == 404
    assert pl_client.get(foreign + "?format=xlsx").status_code == 404


def test_a_mass_confirmation_naming_another_countrys_assignment_confirms_nothing(pl_client, two_countries):
    ids = [two_countries.pl.assignment.pk, two_countries.de.assignment.pk]

    response = pl_client.post(reverse("portal:deployments"), {"assignment": ids})

    assert response.status_code == 404
    two_countries.pl.assignment.refresh_from_db()
    two_countries.de.assignment.refresh_from_db()
    assert (two_countries.pl.assignment.status, two_countries.de.assignment.status) == ("planned", "planned")

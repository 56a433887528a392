"""Lists sorted by country follow the names shown, in the page's language, not the ISO codes (issue 20)."""

import csv
import io

import pytest
from django.test import Client
from django.utils import translation

from core.countries import country_label
from tests.factories import AssignmentFactory, OperationFactory, PledgeFactory, RequestFactory, accepted_line

# United Arab Emirates, Argentina, Austria, Australia, Germany, Spain: A→Z by code is not A→Z by name.
CODES = ["AE", "AR", "AT", "AU", "DE", "ES"]
ENGLISH = ["Argentina", "Australia", "Austria", "Germany", "Spain", "United Arab Emirates"]
FRENCH = ["Allemagne", "Argentine", "Australie", "Autriche", "Émirats arabes unis", "Espagne"]


@pytest.fixture
def requests_of_six_countries(db):
    operation = OperationFactory()
    return [RequestFactory(operation=operation, country=code) for code in CODES]


def staff_client(user, language):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(("language", "names"), [("en", ENGLISH), ("fr", FRENCH)])
def test_the_request_list_sorts_countries_by_their_name_in_the_pages_language(
    requests_of_six_countries, viewer, language, names
):
    client = staff_client(viewer, language)

    page = client.get("/ops/paris-2024/requests/", {"sort": "country"}).context["page_obj"]

    assert [_name(r.country, language) for r in page] == names


def _name(code, language):
    with translation.override(language):
        return country_label(code)


def test_the_request_list_opens_sorted_by_country_name(requests_of_six_countries, viewer):
    page = staff_client(viewer, "en").get("/ops/paris-2024/requests/").context["page_obj"]

    assert [_name(r.country, "en") for r in page] == ENGLISH


def test_the_request_list_sorts_z_to_a_by_name(requests_of_six_countries, viewer):
    page = staff_client(viewer, "fr").get("/ops/paris-2024/requests/", {"sort": "-country"}).context["page_obj"]

    assert [_name(r.country, "fr") for r in page] == FRENCH[::-1]


def test_the_request_export_is_in_the_same_order_as_the_list(requests_of_six_countries, coordinator):
    response = staff_client(coordinator, "fr").get("/ops/paris-2024/requests/export/", {"sort": "country"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == FRENCH


def test_the_pledge_list_sorts_by_country_name(viewer):
    operation = OperationFactory()
    for code in CODES:
        PledgeFactory(request=RequestFactory(operation=operation, country=code), status="submitted")

    page = staff_client(viewer, "fr").get("/ops/paris-2024/pledges/").context["page_obj"]

    assert [_name(p.request.country, "fr") for p in page] == FRENCH


def test_the_assignment_list_sorts_by_country_name_when_asked(viewer):
    operation = OperationFactory()
    for code in CODES:
        AssignmentFactory(pledge_line=accepted_line(pledge__request=RequestFactory(operation=operation, country=code)))

    page = staff_client(viewer, "en").get("/ops/paris-2024/assignments/", {"sort": "country"}).context["page_obj"]

    assert [_name(a.pledge.request.country, "en") for a in page] == ENGLISH


def test_the_country_filter_lists_names_in_alphabetical_order_accents_aside(viewer):
    OperationFactory()

    form = staff_client(viewer, "fr").get("/ops/paris-2024/requests/").context["form"]

    names = [label for code, label in form.fields["country"].widget.choices if code]
    assert names.index("Égypte") < names.index("Espagne") < names.index("Estonie")

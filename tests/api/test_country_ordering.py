"""`ordering=country_name` sorts API lists by the country's name in the answer's language (issue 20)."""

import pytest

from tests.factories import AssignmentFactory, OperationFactory, PledgeFactory, RequestFactory, accepted_line

pytestmark = pytest.mark.django_db
CODES = ["AE", "AR", "AT", "AU", "DE", "ES"]


@pytest.fixture
def six_countries(db):
    operation = OperationFactory()
    requests = [RequestFactory(operation=operation, country=code) for code in CODES]
    for request in requests:
        AssignmentFactory(pledge_line=accepted_line(pledge__request=request))
    return requests


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["AR", "AU", "AT", "DE", "ES", "AE"]), ("fr", ["DE", "AR", "AU", "AT", "AE", "ES"])],
)
def test_requests_sort_by_country_name_in_the_callers_language(
    api_client, coordinator, six_countries, language, expected
):
    api_client.force_authenticate(coordinator)

    response = api_client.get("/api/v1/requests/?ordering=country_name", headers={"accept-language": language})

    assert [r["country"] for r in response.json()["results"]] == expected


def test_requests_sort_by_country_name_descending(api_client, coordinator, six_countries):
    api_client.force_authenticate(coordinator)

    response = api_client.get("/api/v1/requests/?ordering=-country_name", headers={"accept-language": "en"})

    assert [r["country"] for r in response.json()["results"]] == ["AE", "ES", "DE", "AT", "AU", "AR"]


def test_assignments_and_pledges_sort_by_country_name(api_client, coordinator, six_countries):
    api_client.force_authenticate(coordinator)

    assignments = api_client.get("/api/v1/assignments/?ordering=country_name", headers={"accept-language": "fr"})
    pledges = api_client.get("/api/v1/pledges/?ordering=country_name", headers={"accept-language": "fr"})

    order = ["DE", "AR", "AU", "AT", "AE", "ES"]
    by_request = {r.pk: r.country for r in six_countries}
    assert [a["country"] for a in assignments.json()["results"]] == order
    assert [by_request[p["request"]] for p in pledges.json()["results"]] == order


def test_an_unknown_ordering_field_is_ignored_not_a_500(api_client, coordinator, six_countries):
    api_client.force_authenticate(coordinator)

    response = api_client.get("/api/v1/venues/?ordering=country_name")

    assert response.status_code == 200


def test_pledge_status_ordering_still_works(api_client, coordinator):
    PledgeFactory(status="submitted")
    api_client.force_authenticate(coordinator)

    assert api_client.get("/api/v1/pledges/?ordering=-status").status_code == 200

"""ETag and If-None-Match on the API's GETs (SPEC §12): a 304 while nothing changed, a new tag once it has."""

import pytest

from tests.api.conftest import client_as
from tests.api.test_isolation_matrix import ENDPOINTS
from tests.factories import AssignmentFactory, PledgeLineFactory

pytestmark = pytest.mark.django_db

DETAILS = [pytest.param(e, id=str(e)) for e in ENDPOINTS if e.method == "get" and e.detail]


def test_a_detail_answers_an_etag_and_a_304_while_nothing_changed(coordinator):
    assignment = AssignmentFactory()
    client = client_as(coordinator)
    url = f"/api/v1/assignments/{assignment.pk}/"

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_change_gives_a_new_etag_and_the_old_one_gets_the_whole_object(coordinator):
    assignment = AssignmentFactory()
    client = client_as(coordinator)
    url = f"/api/v1/assignments/{assignment.pk}/"
    old = client.get(url)["ETag"]

    client.post(f"/api/v1/assignments/{assignment.pk}/confirm/", format="json")
    response = client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response["ETag"] != old


def test_a_nested_line_changing_changes_its_pledges_etag(coordinator):
    line = PledgeLineFactory(pledge__status="submitted")
    client = client_as(coordinator)
    url = f"/api/v1/pledges/{line.pledge_id}/"
    old = client.get(url)["ETag"]

    line.officers_offered += 1
    line.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response["ETag"] != old


def test_a_strong_form_of_the_tag_and_a_list_of_tags_match_too(coordinator):
    assignment = AssignmentFactory()
    client = client_as(coordinator)
    url = f"/api/v1/assignments/{assignment.pk}/"
    tag = client.get(url)["ETag"]

    strong = client.get(url, HTTP_IF_NONE_MATCH=tag.removeprefix("W/"))
    several = client.get(url, HTTP_IF_NONE_MATCH=f'"other", {tag}')
    other = client.get(url, HTTP_IF_NONE_MATCH='"other"')

    assert (strong.status_code, several.status_code, other.status_code) == (304, 304, 200)


def test_each_language_has_its_own_etag(coordinator):
    client = client_as(coordinator)
    url = "/api/v1/specialties/public_order/"  # `name` is in the caller's language

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr", HTTP_IF_NONE_MATCH=english["ETag"])

    assert "Accept-Language" in english["Vary"]
    assert french.status_code == 200
    assert french.json()["name"] != english.json()["name"]
    assert french["ETag"] != english["ETag"]


def test_a_list_answers_an_etag_and_a_304_too(coordinator):
    AssignmentFactory()
    client = client_as(coordinator)

    first = client.get("/api/v1/assignments/")
    again = client.get("/api/v1/assignments/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_an_error_carries_no_etag(coordinator):
    response = client_as(coordinator).get("/api/v1/assignments/999999/")

    assert response.status_code == 404
    assert "ETag" not in response


@pytest.mark.parametrize("endpoint", DETAILS)
def test_every_detail_round_trips_its_etag(world, coordinator, liaison_pl, endpoint):
    client = client_as(liaison_pl if endpoint.basename == "notification" else coordinator)
    url = endpoint.path(world)

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304

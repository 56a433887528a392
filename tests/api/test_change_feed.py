"""The change feed (SPEC §12): `updated_after` on every list, keyset `cursor` pages on (updated_at, id),
ties and concurrent changes, cancelled and withdrawn objects kept, and a tampered cursor is a 400."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from config.urls import router
from deployments.models import Assignment
from tests.api.conftest import client_as
from tests.factories import AssignmentFactory, PledgeFactory, accepted_line

pytestmark = pytest.mark.django_db

# Answers about one operation (coverage, conflicts), not lists of rows: nothing to follow.
REPORTS = {"coverage", "conflict"}


@pytest.fixture(autouse=True)
def _no_settle_margin(settings):
    """Rows written by the test are served at once; one test puts the margin back."""
    settings.CHANGE_FEED_SETTLE_SECONDS = 0


def feed_ids(client, url, params):
    """Every id the feed gives, following `next` to the end; and the last cursor."""
    ids, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids, body["cursor"]
        response = client.get(body["next"])


def cursor_of(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def assignments(n):
    line = accepted_line(officers=100)  # one line: a request per country and operation
    return [AssignmentFactory(pledge_line=line) for _ in range(n)]


def assignments_stamped(n, when):
    rows = assignments(n)
    Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(updated_at=when)
    return sorted(a.pk for a in rows)


def test_rows_sharing_one_updated_at_are_paged_by_id_none_skipped_none_repeated(coordinator):
    when = timezone.now() - timedelta(hours=1)
    ids = assignments_stamped(7, when)
    client = client_as(coordinator)

    seen, _cursor = feed_ids(
        client, "/api/v1/assignments/", {"updated_after": (when - timedelta(seconds=1)).isoformat(), "page_size": 2}
    )

    assert seen == ids


def test_objects_changed_while_a_client_pages_come_again_later_and_none_is_skipped(coordinator):
    start = timezone.now() - timedelta(hours=1)
    rows = assignments(6)
    for k, row in enumerate(rows):
        Assignment.objects.filter(pk=row.pk).update(updated_at=start + timedelta(minutes=k))
    client = client_as(coordinator)
    first = client.get(
        "/api/v1/assignments/", {"updated_after": (start - timedelta(seconds=1)).isoformat(), "page_size": 2}
    ).json()
    seen_first = [row["id"] for row in first["results"]]

    # One already read and one not read yet are cancelled between the client's pages.
    for changed in (rows[0], rows[3]):
        response = client.post(f"/api/v1/assignments/{changed.pk}/cancel/", {"reason": "moved"}, format="json")
        assert response.status_code == 200
    seen_rest, _cursor = feed_ids(client, first["next"], {})
    rest = client.get(first["next"]).json()

    assert seen_first == [rows[0].pk, rows[1].pk]
    assert seen_rest == [rows[2].pk, rows[4].pk, rows[5].pk, rows[0].pk, rows[3].pk]
    assert set(seen_first + seen_rest) == {row.pk for row in rows}
    assert rest["results"][0]["status"] == "planned"
    assert Assignment.objects.get(pk=rows[3].pk).status == "cancelled"


def test_a_cancelled_assignment_stays_in_the_feed_with_its_status(coordinator):
    before = timezone.now() - timedelta(seconds=1)
    assignment = AssignmentFactory()
    client = client_as(coordinator)
    client.post(f"/api/v1/assignments/{assignment.pk}/cancel/", {"reason": "weather"}, format="json")

    body = client.get("/api/v1/assignments/", {"updated_after": before.isoformat()}).json()

    assert [(row["id"], row["status"]) for row in body["results"]] == [(assignment.pk, "cancelled")]


def test_a_withdrawn_pledge_stays_in_the_feed_with_its_status(coordinator):
    before = timezone.now() - timedelta(seconds=1)
    pledge = PledgeFactory(status="withdrawn")

    body = client_as(coordinator).get("/api/v1/pledges/", {"updated_after": before.isoformat()}).json()

    assert [(row["id"], row["status"]) for row in body["results"]] == [(pledge.pk, "withdrawn")]


def test_a_client_polling_with_its_cursor_gets_nothing_then_only_what_changed(coordinator):
    before = timezone.now() - timedelta(seconds=1)
    first, second = assignments(2)
    client = client_as(coordinator)
    _ids, cursor = feed_ids(client, "/api/v1/assignments/", {"updated_after": before.isoformat()})

    quiet = client.get("/api/v1/assignments/", {"cursor": cursor}).json()
    client.post(f"/api/v1/assignments/{second.pk}/confirm/", format="json")
    after = client.get("/api/v1/assignments/", {"cursor": cursor}).json()

    assert (quiet["results"], quiet["next"], quiet["cursor"]) == ([], None, cursor)
    assert [row["id"] for row in after["results"]] == [second.pk]
    assert first.pk not in [row["id"] for row in after["results"]]


def test_an_empty_first_answer_still_gives_a_cursor_to_poll_from(coordinator):
    since = timezone.now()
    client = client_as(coordinator)

    empty = client.get("/api/v1/assignments/", {"updated_after": since.isoformat()}).json()
    assignment = AssignmentFactory()
    later = client.get("/api/v1/assignments/", {"cursor": empty["cursor"]}).json()

    assert empty["results"] == []
    assert [row["id"] for row in later["results"]] == [assignment.pk]


def test_the_feed_holds_back_rows_stamped_within_the_settle_margin(coordinator, settings):
    settings.CHANGE_FEED_SETTLE_SECONDS = 5
    since = timezone.now() - timedelta(minutes=1)
    fresh, settled = assignments(2)
    Assignment.objects.filter(pk=settled.pk).update(updated_at=timezone.now() - timedelta(seconds=10))

    body = client_as(coordinator).get("/api/v1/assignments/", {"updated_after": since.isoformat()}).json()

    assert [row["id"] for row in body["results"]] == [settled.pk]
    assert fresh.pk not in [row["id"] for row in body["results"]]


def test_offset_pages_are_unchanged_for_clients_that_do_not_ask_for_the_feed(coordinator):
    AssignmentFactory()

    body = client_as(coordinator).get("/api/v1/assignments/", {"page": 1}).json()

    assert body["count"] == 1
    assert "cursor" not in body


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "AAAA",
        cursor_of([1, 2]),
        cursor_of({"t": "2026-01-01T00:00:00+00:00"}),
        cursor_of(["2026-01-01T00:00:00", 1]),  # no offset
        cursor_of(["2026-01-01T00:00:00+00:00", -1]),
        cursor_of(["2026-01-01T00:00:00+00:00", "1"]),
        cursor_of(["2026-01-01T00:00:00+00:00", 10**40]),
        cursor_of(["yesterday", 1]),
    ],
)
def test_a_cursor_the_api_did_not_give_is_a_400_not_a_500(coordinator, cursor):
    response = client_as(coordinator).get("/api/v1/assignments/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["cursor"] == ["This cursor is not one this API gave out."]


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00Z", "2026-07-26T09:00:00", ""])
def test_a_bad_updated_after_is_a_clear_400(coordinator, bad):
    response = client_as(coordinator).get("/api/v1/assignments/", {"updated_after": bad})

    assert response.status_code == 400
    assert "updated_after" in response.json()


def test_page_and_cursor_do_not_mix(coordinator):
    response = client_as(coordinator).get("/api/v1/assignments/", {"updated_after": "2026-01-01T00:00:00Z", "page": 2})

    assert response.status_code == 400
    assert "page" in response.json()


def list_endpoints():
    found = []
    for prefix, viewset, basename in router.registry:
        if basename not in REPORTS and hasattr(viewset, "list"):
            found.append(pytest.param(prefix, basename, id=basename))
    return found


def test_every_list_but_the_reports_follows_changes():
    models = {
        basename: viewset.serializer_class.Meta.model
        for _prefix, viewset, basename in router.registry
        if basename not in REPORTS and hasattr(viewset, "list")
    }

    assert len(models) >= 11
    assert [name for name, model in models.items() if not hasattr(model, "updated_at")] == []


@pytest.mark.parametrize(("prefix", "basename"), list_endpoints())
def test_updated_after_filters_every_list(world, coordinator, liaison_pl, prefix, basename):
    obj = type(world[basename]).objects.get(pk=world[basename].pk)
    client = client_as(liaison_pl if basename == "notification" else coordinator)
    key = "code" if basename == "specialty" else "id"
    mine = obj.code if basename == "specialty" else obj.pk
    url = f"/api/v1/{prefix}/"

    def keys(params):
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        rows = body if isinstance(body, list) else body["results"]
        stamps = [row["updated_at"] for row in rows]
        assert stamps == sorted(stamps)
        return [row[key] for row in rows]

    before = keys({"updated_after": (obj.updated_at - timedelta(seconds=1)).isoformat()})
    after = keys({"updated_after": obj.updated_at.isoformat()})
    bad = client.get(url, {"updated_after": "soon"})

    assert mine in before
    assert mine not in after
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "edge", ["0149-06-21T13:38:49-18:06", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00"]
)
def test_an_instant_python_reads_but_postgresql_would_not_is_a_400_or_an_answer_never_a_500(coordinator, edge):
    response = client_as(coordinator).get("/api/v1/assignments/", {"updated_after": edge})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(("prefix", "basename"), list_endpoints())
def test_the_feed_shows_a_liaison_only_what_their_country_may_see(world, liaison_de, prefix, basename):
    obj = type(world[basename]).objects.get(pk=world[basename].pk)
    since = (obj.updated_at - timedelta(seconds=1)).isoformat()

    response = client_as(liaison_de).get(f"/api/v1/{prefix}/", {"updated_after": since})

    body = response.json()
    rows = body if isinstance(body, list) else body.get("results", [])
    if basename in ("operation", "specialty"):  # reference data, the same for everyone
        assert response.status_code == 200
    else:
        assert response.status_code in (200, 403)
        assert world[basename].pk not in [row.get("id") for row in rows]

"""A viewer reads everything and changes nothing: every POST of the staff pages is refused with 403."""

import pytest
from django.urls import reverse


def post_urls(world):
    op = world["operation"].code
    return [
        reverse("request_create", args=[op]),
        reverse("request_edit", args=[world["request"].pk]),
        reverse("request_move", args=[world["request"].pk, "send"]),
        reverse("request_move", args=[world["request"].pk, "cancel"]),
        reverse("request_move", args=[world["request"].pk, "close"]),
        reverse("pledge_decide", args=[world["pledge"].pk]),
        reverse("pledge_request_changes", args=[world["pledge"].pk]),
        reverse("venue_create", args=[op]),
        reverse("venue_edit", args=[world["venue"].pk]),
        reverse("venue_detail", args=[world["venue"].pk]),
        reverse("need_edit", args=[world["need"].pk]),
        reverse("assignment_create", args=[op]),
        reverse("assignment_move", args=[world["assignment"].pk]),
        reverse("assignment_cancel", args=[world["assignment"].pk]),
        reverse("webhooks"),
        reverse("webhook_switch", args=[world["webhook"].pk]),
        reverse("webhook_delete", args=[world["webhook"].pk]),
    ]


def test_a_viewer_forging_any_post_is_refused_and_nothing_changes(client, world, viewer):
    client.force_login(viewer)

    statuses = {
        url: client.post(url, {"reason": "x", "note": "x", "code": "x"}).status_code for url in post_urls(world)
    }

    assert statuses == dict.fromkeys(statuses, 403)
    world["request"].refresh_from_db()
    world["assignment"].refresh_from_db()
    assert (world["request"].status, world["assignment"].status) == ("sent", "planned")
    world["webhook"].refresh_from_db()
    assert world["webhook"].is_active


def test_a_liaison_posting_to_a_staff_page_finds_nothing(client, world, liaison_pl):
    client.force_login(liaison_pl)

    statuses = {url: client.post(url, {"reason": "x"}).status_code for url in post_urls(world)}

    assert statuses == dict.fromkeys(statuses, 404)


@pytest.mark.parametrize("move", ["send", "close"])
def test_an_unknown_or_illegal_request_move_is_not_a_server_error(client, world, coordinator, move):
    client.force_login(coordinator)

    response = client.post(reverse("request_move", args=[world["request"].pk, "explode"]))

    assert response.status_code == 404

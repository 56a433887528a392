"""Every staff page renders for a coordinator and a viewer, and does not exist for a liaison."""

import pytest
from django.urls import reverse


def staff_urls(world):
    op = world["operation"].code
    return [
        reverse("dashboard", args=[op]),
        reverse("request_list", args=[op]),
        reverse("request_list", args=[op])
        + "?status=sent&authority=interior&country=PL&specialty=public_order&sort=-requested",
        reverse("request_create", args=[op]),
        reverse("request_detail", args=[world["request"].pk]),
        reverse("request_edit", args=[world["request"].pk]),
        reverse("pledge_list", args=[op]),
        reverse("pledge_review", args=[world["pledge"].pk]),
        reverse("k9_team_list", args=[op]),
        reverse("k9_team_list", args=[op])
        + "?ready=false&detection=explosives&certification_expires_before=2025-01-01",
        reverse("venue_list", args=[op]),
        reverse("venue_create", args=[op]),
        reverse("venue_detail", args=[world["venue"].pk]),
        reverse("venue_edit", args=[world["venue"].pk]),
        reverse("need_edit", args=[world["need"].pk]),
        reverse("planner", args=[op]) + "?venue=seine-1&day=2024-07-26",
        reverse("assignment_list", args=[op]),
        reverse("import_page", args=[op]),
        reverse("coverage", args=[op]) + "?from=2024-07-24",
        reverse("board", args=[op]),
        reverse("inbox"),
        reverse("webhooks"),
        reverse("webhook_detail", args=[world["webhook"].pk]),
    ]


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_every_staff_page_renders_for_ministry_staff(client, world, who, request):
    client.force_login(request.getfixturevalue(who))

    statuses = {url: client.get(url).status_code for url in staff_urls(world)}

    assert statuses == dict.fromkeys(statuses, 200)


def test_every_staff_page_is_a_404_for_a_liaison(client, world, liaison_pl):
    client.force_login(liaison_pl)

    statuses = {url: client.get(url).status_code for url in staff_urls(world)}

    assert statuses == dict.fromkeys(statuses, 404)


def test_the_home_page_sends_staff_to_the_latest_operation_dashboard(client, world, viewer):
    client.force_login(viewer)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("dashboard", args=[world["operation"].code])


def test_the_home_page_sends_a_liaison_to_the_portal(client, liaison_pl):
    client.force_login(liaison_pl)

    response = client.get("/")

    assert response.url == "/portal/"


def test_an_anonymous_visitor_is_asked_to_log_in(client, world):
    response = client.get(reverse("dashboard", args=[world["operation"].code]))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_page_in_french_names_countries_and_statuses_in_french(client, world, viewer):
    client.force_login(viewer)
    client.cookies["django_language"] = "fr"

    html = client.get(reverse("request_list", args=[world["operation"].code])).content.decode()

    assert '<html lang="fr">' in html
    assert "Pologne" in html
    assert "Envoyée" in html
    assert "Demandes" in html

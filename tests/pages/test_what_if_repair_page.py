"""SPEC §10 "What if" on the staff page, "and how to recover": a coordinator also sees the proposal that would
recover the needs that fall short, by country and venue, the cover after it and what stays short — nothing
placed; other staff ask the question alone. English and French."""

import pytest
from django.urls import reverse

from deployments.models import Assignment
from tests.pages import test_what_if_page

pytestmark = pytest.mark.django_db
stade = test_what_if_page.stade  # its fixture


def ask(client, operation, **query):
    return client.get(reverse("what_if", args=[operation.code]), query, **({"HTTP_ACCEPT_LANGUAGE": "fr"}
                      if query.pop("lang", None) == "fr" else {})).content.decode()  # fmt: skip


def test_a_coordinator_sees_how_to_recover_from_germany_withdrawing(client, coordinator, stade):
    client.force_login(coordinator)
    planned = list(Assignment.objects.values_list("id", "ends_at", "status"))

    asked = ask(client, stade["operation"])
    html = ask(client, stade["operation"], country="DE", repair="on")

    assert 'name="repair"' in asked
    section = html[html.index('id="what-if-repair"') :]
    assert "How to recover" in section and "Poland" in section and "× 6" in section
    assert "covers 72.0 of the 72.0 officer-hours missing" in section
    assert "Every gap is covered." in section
    assert list(Assignment.objects.values_list("id", "ends_at", "status")) == planned


def test_without_the_box_ticked_there_is_no_repair(client, coordinator, stade):
    client.force_login(coordinator)

    html = ask(client, stade["operation"], country="DE")

    assert "Falls short" in html and 'id="what-if-repair"' not in html


def test_a_viewer_has_no_box_and_a_forged_one_is_ignored(client, viewer, stade):
    client.force_login(viewer)

    html = ask(client, stade["operation"], country="DE", repair="on")

    assert 'name="repair"' not in html
    assert "Falls short" in html and 'id="what-if-repair"' not in html


def test_the_repair_speaks_french(client, coordinator, stade):
    client.force_login(coordinator)

    html = ask(client, stade["operation"], country="DE", repair="on", lang="fr")

    assert "Comment rétablir" in html and "Et comment rétablir" in html and "Pologne" in html

"""The portal home puts what awaits the liaison first, then pledges, then a compact notification list (issue 20)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.factories import AssignmentFactory, K9TeamFactory, PledgeFactory, RequestFactory, accepted_line

pytestmark = pytest.mark.django_db


def note(user, subject, *, read=False):
    return Notification.objects.create(
        recipient=user, event="request_sent", subject=subject, body="b", channel=Notification.Channel.IN_APP,
        status=Notification.Status.SENT, read_at=timezone.now() if read else None,
    )  # fmt: skip


def test_the_home_lists_requests_to_answer_pledges_to_fix_and_assignments_to_confirm_first(pl_client):
    unanswered = RequestFactory(country="PL", status="sent")
    answered = RequestFactory(country="PL", authority="defence", status="acknowledged")
    PledgeFactory(request=answered, status="submitted")
    to_fix = PledgeFactory(request=answered, status="changes_requested")
    AssignmentFactory(pledge_line=accepted_line(pledge__request=answered))

    response = pl_client.get(reverse("portal:home"))

    assert [r.pk for r in response.context["to_answer"]] == [unanswered.pk]
    assert [p.pk for p in response.context["to_fix"]] == [to_fix.pk]
    html = response.content.decode()
    assert html.index("Waiting for you") < html.index("Your pledges") < html.index('id="h-notes"')
    assert "Confirm 1 assignment" in html


def test_notifications_are_listed_unread_first_and_compact(pl_client, liaison_pl):
    for i in range(12):
        note(liaison_pl, f"read-{i}", read=True)
    note(liaison_pl, "unread-one")

    response = pl_client.get(reverse("portal:home"))

    notes = response.context["notifications"]
    assert notes[0].subject == "unread-one" and len(notes) == 8
    assert response.context["unread_count"] == 1


def test_mark_all_read_reads_only_the_liaisons_own_notifications(pl_client, liaison_pl, liaison_de):
    mine = [note(liaison_pl, f"pl-{i}") for i in range(3)]
    theirs = note(liaison_de, "de")

    response = pl_client.post(reverse("portal:notifications_read_all"))

    assert response.status_code == 302
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_lists_every_notification_with_its_body(pl_client, liaison_pl):
    for i in range(3):
        note(liaison_pl, f"subject-{i}")

    response = pl_client.get(reverse("portal:inbox"))

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 3 and response.context["unread_count"] == 3


def test_an_overdue_answer_is_marked_by_the_demo_clock(pl_client, settings):
    settings.DEMO_NOW = "2024-02-20T09:00:00+01:00"
    RequestFactory(country="PL", status="sent", response_due=dt.date(2024, 3, 1))

    response = pl_client.get(reverse("portal:home"))

    assert response.context["to_answer"][0].overdue is False


def test_the_home_asks_to_get_each_k9_team_that_is_not_ready_for_the_border_ready(pl_client, settings):
    settings.DEMO_NOW = "2024-07-01T09:00:00+02:00"
    draft = PledgeFactory(request__country="PL", status="draft")
    K9TeamFactory(pledge=draft, dog_name="Tosca", microchip="", rabies_vaccinated_on=None)
    accepted = K9TeamFactory(pledge__request=RequestFactory(country="PL", authority="defence"),
                             pledge__status="accepted", accepted=True,
                             dog_name="Bruno", rabies_vaccinated_on=dt.date(2024, 7, 1))  # fmt: skip
    K9TeamFactory(pledge=accepted.pledge, accepted=True, dog_name="Ready")
    K9TeamFactory(pledge=accepted.pledge, accepted=False, dog_name="Turned down", microchip="")
    K9TeamFactory(pledge=accepted.pledge, accepted=True, dog_name="Taken back", microchip="",
                  withdrawn_at=timezone.now())  # fmt: skip
    K9TeamFactory(pledge__request__country="DE", dog_name="German", microchip="")

    response = pl_client.get(reverse("portal:home"))

    assert [t.dog_name for t in response.context["not_ready"]] == ["Tosca", "Bruno"]
    html = response.content.decode()
    assert html.index("Get Tosca (") < html.index("Your pledges")
    assert "missing: Microchip, Rabies vaccination" in html
    assert "may cross from 2024-07-22 only, available from 2024-07-10" in html
    assert f'href="{reverse("portal:pledge_edit", args=[draft.pk])}"' in html
    assert f'href="{reverse("portal:pledge_detail", args=[accepted.pledge.pk])}#team-{accepted.pk}"' in html


def test_a_k9_team_whose_availability_is_over_no_longer_waits_for_the_liaison(pl_client, settings):
    settings.DEMO_NOW = "2024-09-01T09:00:00+02:00"
    K9TeamFactory(pledge__request__country="PL", microchip="")

    response = pl_client.get(reverse("portal:home"))

    assert response.context["not_ready"] == []


def test_the_home_says_how_many_lines_and_teams_of_a_pledge_were_withdrawn(pl_client):
    line = accepted_line(pledge__request__country="PL", withdrawn_at=timezone.now())
    K9TeamFactory(pledge=line.pledge, withdrawn_at=timezone.now())
    K9TeamFactory(pledge=line.pledge)

    html = pl_client.get(reverse("portal:home")).content.decode()

    assert "(2 lines or teams withdrawn)" in html


def test_readiness_gaps_read_in_french(pl_client, liaison_pl, settings):
    settings.DEMO_NOW = "2024-07-01T09:00:00+02:00"
    liaison_pl.language = "fr"
    liaison_pl.save()
    K9TeamFactory(pledge__request__country="PL", dog_name="Tosca", handler_name="kpr. Szymańska", microchip="")

    html = pl_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Préparer Tosca (kpr. Szymańska) pour la frontière" in html
    assert "manque : Puce électronique" in html

import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import K9TeamFactory, PledgeFactory, PledgeLineFactory, RequestFactory


def test_a_coordinator_decides_a_pledge_partially(client, coordinator, liaison_pl):
    pledge = PledgeFactory(status="submitted", request__country="PL")
    line = PledgeLineFactory(pledge=pledge, officers_offered=10)
    team = K9TeamFactory(pledge=pledge)
    client.force_login(coordinator)

    response = client.post(
        reverse("pledge_decide", args=[pledge.pk]),
        {f"line_{line.pk}": "6", f"team_{team.pk}": "on", "decision_note": "Six are enough."},
    )

    pledge.refresh_from_db()
    line.refresh_from_db()
    assert response.status_code == 302
    assert (pledge.status, line.officers_accepted, pledge.decision_note) == ("partially_accepted", 6, "Six are enough.")


def test_accepting_more_officers_than_offered_shows_the_field_error(client, coordinator):
    pledge = PledgeFactory(status="submitted")
    line = PledgeLineFactory(pledge=pledge, officers_offered=10)
    client.force_login(coordinator)

    response = client.post(reverse("pledge_decide", args=[pledge.pk]), {f"line_{line.pk}": "11"})

    pledge.refresh_from_db()
    assert response.status_code == 200
    assert pledge.status == "submitted"
    assert response.context["decision_form"].errors[f"line_{line.pk}"]


def test_deciding_a_pledge_twice_is_refused_in_words(client, coordinator):
    pledge = PledgeFactory(status="accepted")
    client.force_login(coordinator)

    response = client.post(reverse("pledge_decide", args=[pledge.pk]), {})

    assert response.status_code == 200
    assert "Cannot decide this pledge: it is accepted." in str(response.context["decision_form"].non_field_errors())


def test_requesting_changes_needs_a_note(client, coordinator):
    pledge = PledgeFactory(status="submitted")
    client.force_login(coordinator)

    response = client.post(reverse("pledge_request_changes", args=[pledge.pk]), {"note": ""})

    pledge.refresh_from_db()
    assert pledge.status == "submitted"
    assert response.context["changes_form"].errors["note"]


def test_requesting_changes_with_a_note_sends_the_pledge_back(client, coordinator):
    pledge = PledgeFactory(status="submitted")
    client.force_login(coordinator)

    client.post(reverse("pledge_request_changes", args=[pledge.pk]), {"note": "Add interpreters."})

    pledge.refresh_from_db()
    assert (pledge.status, pledge.changes_note) == ("changes_requested", "Add interpreters.")


def test_a_k9_certification_expiring_before_the_period_ends_is_flagged(client, viewer):
    pledge = PledgeFactory(status="submitted")
    K9TeamFactory(pledge=pledge, certification_expires_on="2024-08-01", dog_name="Luna")
    client.force_login(viewer)

    response = client.get(reverse("pledge_review", args=[pledge.pk]))

    assert "expires before the period ends" in response.content.decode()


def test_the_pledges_export_is_a_workbook_honouring_the_filters(client, viewer):
    request = RequestFactory(country="PL")
    PledgeLineFactory(pledge__request=request, pledge__status="submitted", officers_offered=7)
    PledgeLineFactory(pledge__request=RequestFactory(country="DE"), pledge__status="submitted")
    client.force_login(viewer)

    response = client.get(reverse("pledge_export", args=[request.operation.code]), {"country": "PL", "format": "xlsx"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("Pledge", "Country", "Country code")
    assert [(r[2], r[7]) for r in rows[1:]] == [("PL", 7)]

import csv
import io

import pytest
from django.urls import reverse

from core.models import ExportRecord
from tests.factories import AssignmentFactory, VenueFactory, accepted_line, accepted_team, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def pl_line():
    return accepted_line(officers=10, pledge__request__country="PL")


def test_the_deployments_page_shows_venue_times_with_zone_and_role(pl_client, pl_line):
    venue = VenueFactory(name="Pont d'Iéna", operation=pl_line.pledge.request.operation)
    AssignmentFactory(
        pledge_line=pl_line, venue=venue, role="Embankment patrol", starts_at=at(26, 18), ends_at=at(27, 1)
    )

    html = pl_client.get(reverse("portal:deployments")).content.decode()

    assert "Pont d&#x27;Iéna" in html
    assert "2024-07-26 18:00 CEST" in html
    assert "2024-07-27 01:00 CEST" in html
    assert "Embankment patrol" in html


def test_a_liaison_confirms_several_assignments_at_once(pl_client, pl_line, coordinator):
    first, second = (
        AssignmentFactory(pledge_line=pl_line),
        AssignmentFactory(pledge_line=pl_line, starts_at=at(27, 8), ends_at=at(27, 16)),
    )
    untouched = AssignmentFactory(pledge_line=pl_line, starts_at=at(28, 8), ends_at=at(28, 16))

    response = pl_client.post(reverse("portal:deployments"), {"assignment": [first.pk, second.pk]}, follow=True)

    for a in (first, second, untouched):
        a.refresh_from_db()
    assert [first.status, second.status, untouched.status] == ["confirmed", "confirmed", "planned"]
    assert "2 assignments confirmed." in response.content.decode()


def test_a_liaison_confirms_one_assignment_from_its_page(pl_client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line)

    pl_client.post(reverse("portal:assignment_confirm", args=[assignment.pk]))

    assignment.refresh_from_db()
    assert assignment.status == "confirmed"


def test_confirming_a_cancelled_assignment_shows_the_refusal(pl_client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line, status="cancelled")

    response = pl_client.post(reverse("portal:assignment_confirm", args=[assignment.pk]), follow=True)

    assignment.refresh_from_db()
    assert assignment.status == "cancelled"
    assert "Cannot confirm" in response.content.decode()


def test_the_csv_export_lists_the_contingents_live_assignments_in_local_time(pl_client, pl_line):
    team = accepted_team(pledge=pl_line.pledge, dog_name="Rex")
    AssignmentFactory(pledge_line=pl_line, role="Gate A")
    AssignmentFactory(pledge_line=None, k9_team=team, quantity=None, starts_at=at(27, 8), ends_at=at(27, 12))
    AssignmentFactory(pledge_line=pl_line, status="cancelled", role="Gone")

    response = pl_client.get(reverse("portal:deployments_csv"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert [row["role"] for row in rows] == ["Gate A", "Perimeter"]
    assert rows[0]["starts_at"] == "2024-07-26T08:00:00+02:00"
    assert rows[0]["time_zone"] == "Europe/Paris"
    assert "Rex" in rows[1]["who"]


def test_the_print_view_is_a_standalone_schedule(pl_client, pl_line):
    AssignmentFactory(pledge_line=pl_line, role="Gate A")

    html = pl_client.get(reverse("portal:deployments_print")).content.decode()

    assert "Deployment schedule — PL" in html
    assert "Gate A" in html
    assert 'class="top"' not in html


def test_the_schedule_can_be_narrowed_to_one_status_in_the_list_and_the_export(pl_client, pl_line):
    AssignmentFactory(pledge_line=pl_line, role="Still planned")
    AssignmentFactory(
        pledge_line=pl_line, role="Already confirmed", status="confirmed", starts_at=at(27, 8), ends_at=at(27, 16)
    )

    page = pl_client.get(reverse("portal:deployments"), {"status": "confirmed"}).content.decode()
    export = pl_client.get(reverse("portal:deployments_csv"), {"status": "confirmed"}).content.decode()

    assert "Already confirmed" in page and "Still planned" not in page
    assert "Already confirmed" in export and "Still planned" not in export


def test_the_csv_export_keeps_a_formula_like_role_as_text(pl_client, pl_line):
    AssignmentFactory(pledge_line=pl_line, role='=HYPERLINK("http://evil")')

    export = pl_client.get(reverse("portal:deployments_csv")).content.decode()

    assert "'=HYPERLINK" in export


def test_the_csv_export_is_recorded_with_who_and_which_filters(pl_client, pl_line):
    response = pl_client.get(reverse("portal:deployments_csv"), {"status": "planned"})

    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.user.liaison_profile.country, record.filters) == ("PL", {"status": ["planned"]})

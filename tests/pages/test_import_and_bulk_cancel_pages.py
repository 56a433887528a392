"""The Import page (SPEC §10: venues, needs, assignments from CSV/XLSX) and the bulk cancel of a selection
on the assignments list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deployments.models import Assignment, Venue, VenueNeed
from notifications.models import Notification
from tests.factories import AssignmentFactory, LiaisonFactory, OperationFactory, VenueFactory, accepted_line, at

pytestmark = pytest.mark.django_db


def post_file(client, kind, text, op="paris-2024"):
    upload = SimpleUploadedFile(f"{kind}.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("import_page", args=[op]), {"kind": kind, "file": upload}, follow=True)


def test_the_import_page_offers_the_form_to_a_coordinator_and_the_templates_to_everyone(client, coordinator, viewer):
    OperationFactory()
    url = reverse("import_page", args=["paris-2024"])
    client.force_login(coordinator)

    as_coordinator = client.get(url).content.decode()
    client.force_login(viewer)
    as_viewer = client.get(url).content.decode()

    assert 'id="import-form"' in as_coordinator
    assert 'id="import-form"' not in as_viewer
    for kind in ("venues", "needs", "assignments"):
        assert reverse("import_template", args=["paris-2024", kind]) in as_viewer


def test_a_coordinator_imports_needs_in_a_daily_pattern_from_the_page(client, coordinator):
    VenueFactory(operation=OperationFactory(), code="fanzone")
    client.force_login(coordinator)
    csv = "venue,specialty,quantity,from_date,to_date,from_time,to_time\nfanzone,public_order,6,2024-07-26,2024-07-30,10:00,22:00\n"

    response = post_file(client, "needs", csv)

    assert response.status_code == 200
    assert "Imported 1 rows: 5 needs created." in response.content.decode()
    assert VenueNeed.objects.count() == 5


def test_a_refused_file_shows_every_rows_problem_and_writes_nothing(client, coordinator):
    OperationFactory()
    client.force_login(coordinator)

    response = post_file(client, "venues", "code,name,kind\nstade,Stade,stadium\nbad code!,,castle\n")

    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert [(e.row, e.column) for e in response.context["refused"].errors] == [(3, "code"), (3, "kind"), (3, "name")]
    assert not Venue.objects.exists()


def test_the_import_page_speaks_french(client, coordinator):
    OperationFactory()
    client.force_login(coordinator)
    client.cookies["django_language"] = "fr"

    response = post_file(client, "venues", "code,name\n,Stade\n")

    page = response.content.decode()
    assert "Rien n’a été importé" in page
    assert "Modèles" in page


def test_a_template_downloads_as_csv_with_its_header(client, viewer):
    OperationFactory()
    client.force_login(viewer)

    response = client.get(reverse("import_template", args=["paris-2024", "needs"]))

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("venue,specialty,quantity,from_date,to_date,from_time,to_time")


def test_the_import_page_is_a_404_for_a_liaison(client, liaison_pl):
    accepted_line()
    client.force_login(liaison_pl)

    response = client.get(reverse("import_page", args=["paris-2024"]))

    assert response.status_code == 404


def test_a_coordinator_cancels_the_ticked_assignments_with_a_reason(client, coordinator):
    line = accepted_line()
    ticked = [AssignmentFactory(pledge_line=line, starts_at=at(d, 8), ends_at=at(d, 16)) for d in (26, 27)]
    left = AssignmentFactory(pledge_line=line, starts_at=at(28, 8), ends_at=at(28, 16))
    polish = LiaisonFactory(country="PL")
    client.force_login(coordinator)
    listed = client.get(reverse("assignment_list", args=["paris-2024"])).content.decode()

    response = client.post(
        reverse("assignment_bulk_cancel", args=["paris-2024"]),
        {"ids": [str(a.pk) for a in ticked], "reason": "Match moved."},
        follow=True,
    )

    assert 'id="bulk-cancel"' in listed and f'name="ids" value="{left.pk}"' in listed
    assert "2 assignments cancelled" in response.content.decode()
    assert set(Assignment.objects.filter(status="cancelled").values_list("pk", flat=True)) == {a.pk for a in ticked}
    assert Notification.objects.filter(recipient=polish, channel="in_app", event="assignments_cancelled").count() == 1


def test_a_bulk_cancel_without_a_reason_cancels_nothing_and_says_why(client, coordinator):
    assignment = AssignmentFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("assignment_bulk_cancel", args=["paris-2024"]), {"ids": [str(assignment.pk)], "reason": ""}, follow=True
    )

    assert "Give a reason." in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).status == "planned"


def test_a_viewer_sees_no_selection_and_may_not_bulk_cancel(client, viewer):
    assignment = AssignmentFactory()
    client.force_login(viewer)

    listed = client.get(reverse("assignment_list", args=["paris-2024"])).content.decode()
    response = client.post(
        reverse("assignment_bulk_cancel", args=["paris-2024"]), {"ids": [str(assignment.pk)], "reason": "x"}
    )

    assert 'id="bulk-cancel"' not in listed
    assert response.status_code == 403
    assert Assignment.objects.get(pk=assignment.pk).status == "planned"

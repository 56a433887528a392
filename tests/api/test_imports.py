"""POST /api/v1/operations/{code}/imports/{kind}/ (SPEC §10): venues, needs and assignments from CSV/XLSX,
all or nothing, with per-row errors; and each kind's template."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from deployments.models import Assignment, Venue, VenueNeed
from notifications.models import Notification
from tests.api.conftest import client_as
from tests.factories import (
    AssignmentFactory,
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db


def url(kind, code="paris-2024"):
    return f"/api/v1/operations/{code}/imports/{kind}/"


def upload(client, kind, content, name="file.csv", code="paris-2024", **headers):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(url(kind, code), {"file": SimpleUploadedFile(name, content)}, format="multipart", **headers)


def test_venues_import_creates_every_row_with_its_history(coordinator):
    OperationFactory()
    csv = "code,name,kind,address,latitude,longitude\nstade,Stade de France,stadium,Saint-Denis,48.9244,2.3601\n"
    csv += "seine,Seine segment 4,river_segment,,48.8566,2.3522\n"

    response = upload(client_as(coordinator), "venues", csv)

    assert response.status_code == 201, response.data
    assert response.data == {"kind": "venues", "rows": 2, "created": 2}
    stade = Venue.objects.get(code="stade")
    assert (stade.name, stade.kind, str(stade.latitude)) == ("Stade de France", "stadium", "48.924400")
    assert stade.history.get().history_user == coordinator


def test_venue_rows_with_problems_are_each_reported_and_nothing_is_written(coordinator):
    operation = OperationFactory()
    VenueFactory(operation=operation, code="stade")
    csv = "code,name,kind,latitude\nstade,Stade,stadium,48.9\nnew,,castle,123\nok,Fine,arena,\nok,Again,arena,\n"

    response = upload(client_as(coordinator), "venues", csv)

    assert response.status_code == 400
    assert response.data["code"] == "invalid_rows"
    problems = {(e["row"], e["column"]) for e in response.data["errors"]}
    assert problems == {(2, "code"), (3, "name"), (3, "kind"), (3, "latitude"), (5, "code")}
    assert "row 4" in next(e["message"] for e in response.data["errors"] if e["row"] == 5)
    assert Venue.objects.filter(operation=operation).count() == 1


def test_row_errors_come_in_the_users_language(coordinator):
    OperationFactory()
    coordinator.language = "fr"
    coordinator.save()

    response = upload(client_as(coordinator), "venues", "code,name\n,Stade\n", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert response.data["errors"] == [{"row": 2, "column": "code", "message": "Ce champ est obligatoire."}]
    assert "Rien n’a été importé" in response.data["detail"]


def test_a_needs_pattern_makes_one_need_per_chosen_day_with_its_requirements(coordinator):
    operation = OperationFactory()
    VenueFactory(operation=operation, code="fanzone")
    csv = (
        "venue,specialty,quantity,from_date,to_date,from_time,to_time,weekdays,languages,legal_status,armed\n"
        'fanzone,public_order,12,2024-07-26,2024-08-04,10:00,22:00,"5,6,7","es,en",gendarmerie,yes\n'
        "fanzone,public_order,4,2024-07-27,,22:00,06:00,,,,\n"
    )

    response = upload(client_as(coordinator), "needs", csv)

    assert response.status_code == 201, response.data
    assert response.data == {"kind": "needs", "rows": 2, "created": 7}
    patterned = VenueNeed.objects.filter(quantity=12).order_by("starts_at")
    assert [n.starts_at.date().day for n in patterned] == [26, 27, 28, 2, 3, 4]
    assert {(tuple(n.languages), n.legal_status, n.armed) for n in patterned} == {(("es", "en"), "gendarmerie", True)}
    night = VenueNeed.objects.get(quantity=4)
    assert (night.starts_at, night.ends_at) == (at(27, 22), at(28, 6))


def test_a_needs_pattern_across_the_autumn_clock_change_lasts_the_real_hours(coordinator):
    operation = OperationFactory(code="autumn", starts_on=dt.date(2024, 10, 20), ends_on=dt.date(2024, 11, 10))
    VenueFactory(operation=operation, code="gare")
    csv = "venue,specialty,quantity,from_date,to_date,from_time,to_time\ngare,public_order,3,2024-10-26,2024-10-27,22:00,06:00\n"

    response = upload(client_as(coordinator), "needs", csv, code="autumn")

    assert response.status_code == 201, response.data
    hours = [(n.ends_at - n.starts_at).total_seconds() / 3600 for n in VenueNeed.objects.order_by("starts_at")]
    assert hours == [9, 8]


def test_need_rows_with_bad_dates_weekdays_and_codes_write_nothing(coordinator):
    operation = OperationFactory()
    VenueFactory(operation=operation, code="fanzone")
    csv = (
        "venue,specialty,quantity,from_date,to_date,from_time,to_time,weekdays,languages,legal_status\n"
        "nowhere,public_order,1,2024-07-26,,10:00,12:00,,,\n"
        "fanzone,juggling,1,2024-07-26,,10:00,12:00,,,\n"
        "fanzone,public_order,1,2024-07-28,2024-07-26,10:00,12:00,,,\n"
        "fanzone,public_order,1,2024-07-26,2024-07-28,10:00,12:00,8,,\n"
        "fanzone,public_order,1,2030-01-01,,10:00,12:00,,,\n"
        "fanzone,public_order,1,2024-07-26,,10:00,12:00,,spanish,police\n"
        "fanzone,public_order,1,26 July,,10:00,10:00,,,\n"
        "fanzone,public_order,1,2024-07-26,,10:00,12:00,,,\n"
    )

    response = upload(client_as(coordinator), "needs", csv)

    assert response.status_code == 400
    problems = {(e["row"], e["column"]) for e in response.data["errors"]}
    assert problems == {
        (2, "venue"), (3, "specialty"), (4, "to_date"), (5, "weekdays"), (6, "from_date"),
        (7, "languages"), (7, "legal_status"), (8, "from_date"), (8, "to_time"),
    }  # fmt: skip
    assert not VenueNeed.objects.exists()


def test_assignments_import_places_each_row_and_tells_each_country_once(coordinator):
    line = accepted_line(officers=10)
    team = accepted_team(pledge=line.pledge)
    venue = VenueFactory(operation=line.pledge.request.operation, code="stade")
    polish = LiaisonFactory(country="PL")
    csv = (
        "venue,date,from_time,to_time,pledge_line,quantity,k9_team,role\n"
        f"stade,2024-07-26,08:00,20:00,{line.pk},4,,Perimeter\n"
        f"stade,2024-07-27,08:00,20:00,{line.pk},4,,Perimeter\n"
        f"stade,2024-07-26,22:00,04:00,,,{team.pk},Night sweep\n"
    )

    response = upload(client_as(coordinator), "assignments", csv)

    assert response.status_code == 201, response.data
    assert response.data["created"] == 3
    night = Assignment.objects.get(k9_team=team)
    assert (night.venue, night.starts_at, night.ends_at, night.role) == (venue, at(26, 22), at(27, 4), "Night sweep")
    assert Assignment.objects.filter(pledge_line=line, quantity=4, status="planned").count() == 2
    told = Notification.objects.filter(recipient=polish, channel="in_app")
    assert [n.event for n in told] == ["assignments_planned"]


def test_an_assignment_row_refused_by_a_rule_names_its_row_and_nothing_is_placed(coordinator):
    line = accepted_line(officers=10)
    VenueFactory(operation=line.pledge.request.operation, code="stade")
    AssignmentFactory(pledge_line=line, quantity=8, starts_at=at(27, 10), ends_at=at(27, 12))
    csv = (
        "venue,date,from_time,to_time,pledge_line,quantity\n"
        f"stade,2024-07-26,08:00,20:00,{line.pk},4\n"
        f"stade,2024-07-27,08:00,20:00,{line.pk},4\n"
    )

    response = upload(client_as(coordinator), "assignments", csv)

    assert response.status_code == 400
    [error] = response.data["errors"]
    assert (error["row"], error["column"]) == (3, "")
    assert "capacity_exceeded" in error["message"]
    assert Assignment.objects.filter(pledge_line=line).count() == 1
    assert not Notification.objects.filter(event="assignments_planned").exists()


def test_assignment_rows_naming_unknown_sources_are_refused(coordinator):
    line = accepted_line(officers=10)
    VenueFactory(operation=line.pledge.request.operation, code="stade")
    other = accepted_line(officers=5, pledge__request__operation=OperationFactory(code="elsewhere"))
    csv = (
        "venue,date,from_time,to_time,pledge_line,quantity,k9_team\n"
        f"stade,2024-07-26,08:00,20:00,{other.pk},4,\n"
        f"stade,2024-07-26,08:00,20:00,{line.pk},,\n"
        "stade,2024-07-26,08:00,20:00,,,\n"
        "stade,2024-07-26,08:00,20:00,,,999999\n"
    )

    response = upload(client_as(coordinator), "assignments", csv)

    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.data["errors"]} == {
        (2, "pledge_line"), (3, "quantity"), (4, "pledge_line"), (5, "k9_team"),
    }  # fmt: skip
    assert not Assignment.objects.exists()


def test_an_xlsx_file_imports_like_a_csv(coordinator):
    OperationFactory()
    book = Workbook()
    book.active.append(["code", "name", "kind"])
    book.active.append(["arena", "Bercy Arena", "arena"])
    out = io.BytesIO()
    book.save(out)

    response = upload(client_as(coordinator), "venues", out.getvalue(), name="venues.xlsx")

    assert response.status_code == 201, response.data
    assert Venue.objects.get(code="arena").name == "Bercy Arena"


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_inflated(coordinator):
    OperationFactory()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))

    response = upload(client_as(coordinator), "venues", out.getvalue(), name="venues.xlsx")

    assert response.status_code == 400
    assert response.data["code"] == "invalid_file"
    assert "unpacks" in response.data["detail"]
    assert not Venue.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0", "photo.png", "not a CSV or XLSX"),
        (b"", "empty.csv", "empty"),
        (b"PK\x03\x04broken", "venues.xlsx", "not a CSV or XLSX"),
        (b"name\nStade\n", "venues.csv", "missing: code"),
    ],
)
def test_a_malformed_file_gets_a_clear_400_and_writes_nothing(coordinator, content, name, words):
    OperationFactory()

    response = upload(client_as(coordinator), "venues", content, name=name)

    assert response.status_code == 400
    assert set(response.data) == {"detail", "code", "errors"}
    assert words in response.data["detail"]
    assert not Venue.objects.exists()


def test_a_file_over_the_row_cap_is_refused_with_the_cap_named(coordinator, monkeypatch):
    OperationFactory()
    monkeypatch.setattr("deployments.imports.MAX_ROWS", 3)
    csv = "code,name\n" + "".join(f"v{i},Venue {i}\n" for i in range(4))

    response = upload(client_as(coordinator), "venues", csv)

    assert response.status_code == 400
    assert "more than 3 rows" in response.data["detail"]
    assert not Venue.objects.exists()


def test_a_request_without_a_file_is_a_400(coordinator):
    OperationFactory()

    response = client_as(coordinator).post(url("venues"), {}, format="multipart")

    assert response.status_code == 400
    assert response.data["code"] == "invalid_file"


def test_a_liaison_gets_404_for_an_operation_of_no_request_of_theirs(liaison_de):
    OperationFactory()

    response = upload(client_as(liaison_de), "venues", "code,name\nstade,Stade\n")

    assert response.status_code == 404
    assert not Venue.objects.exists()


def test_a_liaison_of_the_operation_may_not_import(liaison_pl):
    accepted_line()

    response = upload(client_as(liaison_pl), "venues", "code,name\nstade,Stade\n")

    assert response.status_code == 403
    assert not Venue.objects.exists()


def test_a_viewer_may_not_import(viewer):
    OperationFactory()

    response = upload(client_as(viewer), "venues", "code,name\nstade,Stade\n")

    assert response.status_code == 403


def test_an_unknown_kind_is_a_json_404(coordinator):
    OperationFactory()

    response = client_as(coordinator).post(url("pledges"), {}, format="multipart")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("kind", ["venues", "needs", "assignments"])
def test_each_template_is_a_csv_of_the_columns_the_import_reads(coordinator, kind):
    OperationFactory()

    response = client_as(coordinator).get(url(kind) + "template/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode().strip().split(",")
    assert {"venue", "code"} & set(header)
    assert "attachment" in response["Content-Disposition"]

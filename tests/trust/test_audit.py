"""History is an append-only audit trail; exports of personal data are recorded."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from simple_history.models import HistoricalChanges

from core.audit import record_export
from core.models import ExportRecord
from pledges.models import Pledge
from reinforcements.models import Operation
from tests.factories import OperationFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_no_historical_model_is_editable_through_the_admin():
    registered = [model for model in admin.site._registry if issubclass(model, HistoricalChanges)]

    assert registered == []


def test_the_admin_shows_an_objects_history(superuser_client):
    operation = OperationFactory()

    response = superuser_client.get(f"/admin/reinforcements/operation/{operation.pk}/history/")

    assert response.status_code == 200
    assert "View history" in response.text


def test_an_old_version_is_shown_without_a_revert_button(superuser_client):
    operation = OperationFactory(name="Paris 2024")
    version = operation.history.get()

    response = superuser_client.get(f"/admin/reinforcements/operation/{operation.pk}/history/{version.pk}/")

    assert response.status_code == 200
    assert "Revert" not in response.text


def test_posting_an_old_version_back_changes_nothing(superuser_client):
    pledge = PledgeFactory(commander_name="Insp. Anna Nowak")
    first = pledge.history.get()
    pledge.commander_name = "Insp. Jan Kowalski"
    pledge.save()

    response = superuser_client.post(
        f"/admin/pledges/pledge/{pledge.pk}/history/{first.pk}/",
        {"commander_name": "Insp. Anna Nowak", "commander_contact": "x", "request": pledge.request_id},
    )

    assert response.status_code == 403
    assert Pledge.objects.get(pk=pledge.pk).commander_name == "Insp. Jan Kowalski"
    assert pledge.history.count() == 2


def test_every_change_adds_a_history_row_and_keeps_the_old_ones():
    operation = OperationFactory(name="Paris 2024")
    operation.name = "Paris 2024 Olympic Games"
    operation.save()

    names = list(Operation.history.filter(id=operation.pk).order_by("history_id").values_list("name", flat=True))

    assert names == ["Paris 2024", "Paris 2024 Olympic Games"]


def test_an_export_is_recorded_with_who_when_what_and_the_filters():
    user = UserFactory(username="coord")

    record = record_export(user, "roster", {"operation": "paris-2024", "country": ["PL", "DE"]}, rows=42)

    saved = ExportRecord.objects.get(pk=record.pk)
    assert (saved.user, saved.what, saved.rows) == (user, "roster", 42)
    assert saved.filters == {"operation": "paris-2024", "country": ["PL", "DE"]}
    assert saved.at is not None


def test_an_export_record_stores_dates_and_objects_as_readable_text():
    operation = OperationFactory()

    record = record_export(UserFactory(), "k9_teams", {"on": dt.date(2024, 7, 26), "operation": operation})

    assert ExportRecord.objects.get(pk=record.pk).filters == {"on": "2024-07-26", "operation": "Paris 2024"}


def test_export_records_cannot_be_added_changed_or_deleted_in_the_admin(superuser_client):
    record = record_export(UserFactory(), "roster", {})

    assert superuser_client.get("/admin/core/exportrecord/add/").status_code == 403
    assert superuser_client.post(f"/admin/core/exportrecord/{record.pk}/delete/").status_code == 403
    assert superuser_client.get(f"/admin/core/exportrecord/{record.pk}/change/").status_code == 200
    assert ExportRecord.objects.filter(pk=record.pk).exists()


def test_a_user_with_exports_on_record_cannot_be_deleted_only_deactivated():
    user = UserFactory()
    record_export(user, "roster", {})

    with pytest.raises(ProtectedError):
        user.delete()

from core.models import ExportRecord


def test_an_export_is_recorded_with_who_and_which_filters(client, coordinator, world):
    client.force_login(coordinator)

    response = client.get("/ops/paris-2024/requests/export/", {"format": "xlsx", "country": "PL"})

    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.user, record.what, record.filters["country"]) == (coordinator, "requests-paris-2024", ["PL"])


def test_an_unknown_export_format_is_a_404_and_records_nothing(client, coordinator, world):
    client.force_login(coordinator)

    response = client.get("/ops/paris-2024/requests/export/", {"format": "pdf"})

    assert response.status_code == 404
    assert not ExportRecord.objects.exists()

"""The reference instant of pages that depend on now (deployments/clock.py, issue 20)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from deployments.clock import reference_instant
from reinforcements.transitions import send_request
from tests.factories import OperationFactory, RequestFactory, RequestLineFactory, VenueFactory, VenueNeedFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(db):
    operation = OperationFactory()
    VenueNeedFactory(venue=VenueFactory(operation=operation), starts_at=at(26, 14), ends_at=at(27, 1))
    VenueNeedFactory(venue=VenueFactory(operation=operation), starts_at=at(2, 8, month=8), ends_at=at(2, 20, month=8))
    return operation


def test_after_the_operation_it_is_the_start_of_its_first_day_with_needs_and_says_so(operation, settings):
    settings.DEMO_NOW = ""

    reference = reference_instant(operation)

    assert (reference.day, reference.instant) == (dt.date(2024, 7, 26), at(26, 0))
    assert reference.note == "The operation is over: showing 26 July 2024"


def test_the_note_is_in_the_users_language(operation, settings):
    settings.DEMO_NOW = ""

    with translation.override("fr"):
        assert reference_instant(operation).note == "L’opération est terminée : affichage du 26 juil. 2024"


def test_before_the_operation_it_says_it_has_not_started(settings):
    settings.DEMO_NOW = ""
    operation = OperationFactory(code="games-2032", starts_on=dt.date(2032, 7, 1), ends_on=dt.date(2032, 8, 31))

    reference = reference_instant(operation)

    assert reference.day == dt.date(2032, 7, 1)  # no need yet: its first day
    assert reference.note.startswith("The operation has not started")


def test_inside_the_operation_by_the_demo_clock_it_is_that_instant(operation, settings):
    settings.DEMO_NOW = "2024-07-26T09:00:00+02:00"

    reference = reference_instant(operation)

    assert (reference.instant, reference.day) == (at(26, 9), dt.date(2024, 7, 26))
    assert reference.note.startswith("Demo clock:")


def test_the_demo_clock_dates_nothing_that_is_stored(operation, settings, coordinator):
    settings.DEMO_NOW = "2024-07-26T09:00:00+02:00"
    request = RequestFactory(operation=operation, status="draft")
    RequestLineFactory(request=request)
    send_request(request.pk, actor=coordinator)

    request.refresh_from_db()
    assert request.sent_at.year > 2024


def test_a_bad_demo_clock_stops_the_settings_loudly():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true", "DEMO_NOW": "tomorrow",
             "DATABASE_URL": "postgres://x@127.0.0.1/x", "REDIS_URL": "redis://127.0.0.1:6379/5", "PATH": ""},
        capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode != 0 and "DEMO_NOW must be an ISO 8601 instant" in result.stderr


def test_the_reminders_preview_acts_at_the_operations_reference_instant(operation, settings, capsys):
    settings.DEMO_NOW = ""

    call_command("send_reminders", "--dry-run", "--operation", operation.code)

    out = capsys.readouterr().out
    assert "The operation is over: showing 26 July 2024" in out
    assert "as of 2024-07-26T00:00:00+02:00" in out


def test_the_reminders_operation_option_is_a_preview_only(operation):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--dry-run"):
        call_command("send_reminders", "--operation", operation.code)

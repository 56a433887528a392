from types import SimpleNamespace

import pytest
from django.test import Client

from notifications.models import Notification
from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    accepted_line,
)


@pytest.fixture
def pl_client(liaison_pl):
    client = Client()
    client.force_login(liaison_pl)
    return client


def _country_world(country, liaison, marker, quantity):
    """One country's request, pledge (with a line and a K9 team), assignment and notification,
    every text carrying `marker` so a page that leaks it is caught."""
    request = RequestFactory(country=country, message=f"{marker}-MESSAGE", internal_notes=f"{marker}-INTERNAL-NOTES")
    RequestLineFactory(request=request, quantity=quantity)
    line = accepted_line(officers=quantity + 1, pledge__request=request, pledge__commander_name=f"{marker}-COMMANDER")
    pledge = line.pledge
    team = K9TeamFactory(pledge=pledge, handler_name=f"{marker}-HANDLER", accepted=True)
    venue = VenueFactory(operation=request.operation, name=f"{marker}-VENUE")
    assignment = AssignmentFactory(pledge_line=line, venue=venue, role=f"{marker}-ROLE", quantity=quantity + 2)
    draft = PledgeLineFactory(pledge__request=request, pledge__commander_name=f"{marker}-DRAFT").pledge
    note = Notification.objects.create(
        recipient=liaison, event="request_sent", subject=f"{marker}-NOTIFICATION", body=f"{marker}-BODY",
        channel=Notification.Channel.IN_APP, status=Notification.Status.SENT, url=f"/portal/requests/{request.pk}/",
    )  # fmt: skip
    return SimpleNamespace(
        request=request, pledge=pledge, draft=draft, line=line, team=team, assignment=assignment, notification=note
    )


@pytest.fixture
def two_countries(liaison_pl, liaison_de):
    """Poland's and Germany's objects side by side; numbers chosen to appear nowhere else."""
    return SimpleNamespace(
        pl=_country_world("PL", liaison_pl, "POLSKA", 41), de=_country_world("DE", liaison_de, "DEUTSCH", 86421)
    )

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from deployments.models import Proposal, VenuePair
from notifications.models import Notification
from pledges.models import Amendment, AmendmentChange
from reinforcements.models import Specialty
from tests.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    InvitationFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    WebhookFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Login throttles count in the cache: each test starts with none."""
    cache.clear()


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(liaison_pl):
    """One of everything, all Polish, in an operation where Germany has no request."""
    operation = OperationFactory(code="matrix-op", name="Matrix")
    request = RequestFactory(operation=operation, country="PL", status="sent")
    RequestLineFactory(request=request)
    pledge = PledgeFactory(request=request, status="accepted")
    line = PledgeLineFactory(pledge=pledge, officers_offered=10, officers_accepted=10)
    team = K9TeamFactory(pledge=pledge, accepted=True)
    venue = VenueFactory(operation=operation)
    need = VenueNeedFactory(venue=venue)
    assignment = AssignmentFactory(pledge_line=line, pledge=pledge, venue=venue)
    specialty = Specialty.objects.get(code="public_order")
    notification = Notification.objects.create(
        recipient=liaison_pl, event="request_sent", subject="s", body="b", channel="in_app", status="sent"
    )
    invitation = InvitationFactory(country="PL")
    amendment = Amendment.objects.create(pledge=pledge, submitted_by=liaison_pl, note="matrix")
    AmendmentChange.objects.create(
        amendment=amendment, kind="remove_line", target=line.pk, before={"officers_offered": 10}
    )
    pair = VenuePair.objects.create(venue_a=venue, venue_b=VenueFactory(operation=operation), minutes=20)
    proposal = Proposal.objects.create(
        operation=operation, created_by=CoordinatorFactory(), expires_at=timezone.now() + dt.timedelta(days=1),
        status=Proposal.Status.READY, progress=100, result={"assignments": [], "fingerprint": {}},
    )  # fmt: skip
    return {
        "venuepair": pair, "conflict": None, "proposal": proposal,
        "invitation": invitation, "webhook": WebhookFactory(), "amendment": amendment,
        "operation": operation, "request": request, "pledge": pledge, "line": line, "team": team, "k9team": team,
        "venue": venue,
        "venueneed": need, "assignment": assignment, "notification": notification,
        "specialty": specialty,
    }  # fmt: skip

import pytest

from tests.factories import (
    AssignmentFactory,
    K9TeamFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    RequestFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    WebhookFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)


@pytest.fixture
def world(db):
    """One of everything a staff page shows, in the test operation (July 2024, Paris)."""
    operation = OperationFactory()
    request = RequestFactory(operation=operation, country="PL")
    RequestLineFactory(request=request, quantity=20)
    RequestLineFactory(request=request, specialty=specialty("k9_explosives"), quantity=4)
    pledge = PledgeFactory(request=request, status="submitted")
    line = PledgeLineFactory(pledge=pledge, officers_offered=12)
    team = K9TeamFactory(pledge=pledge)
    venue = VenueFactory(operation=operation, code="seine-1", name="Seine, Pont d'Iéna", kind="river_segment")
    need = VenueNeedFactory(venue=venue, quantity=10)
    accepted = accepted_line(pledge__request__country="DE", pledge__request__operation=operation)
    dog = accepted_team(pledge__request__country="NL", pledge__request__operation=operation)
    assignment = AssignmentFactory(pledge_line=accepted, venue=venue, quantity=4)
    AssignmentFactory(
        pledge_line=None, k9_team=dog, quantity=None, venue=venue, starts_at=at(26, 10), ends_at=at(26, 14)
    )
    return {
        "operation": operation, "request": request, "pledge": pledge, "line": line, "team": team, "venue": venue,
        "need": need, "accepted_line": accepted, "accepted_team": dog, "assignment": assignment,
        "webhook": WebhookFactory(),
    }  # fmt: skip

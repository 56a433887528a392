"""The proposal's set-wise final check (deployments.proposal_checks) reads what its own transaction
inserted, not a cached answer: a bulk insert sends no post_save, so it says so to core.freshness itself."""

import pytest
from django.db import transaction

from deployments import proposal_checks
from deployments.conflicts import conflicts
from tests.factories import AssignmentFactory, UserFactory, accepted_team, at


@pytest.mark.django_db(transaction=True)
def test_a_placement_inserted_for_the_check_is_judged_even_when_its_sources_conflicts_were_cached():
    team = accepted_team()
    earlier = AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(26, 8), ends_at=at(26, 12))
    operation = earlier.venue.operation
    placement = {
        "kind": "team", "source": team.pk, "quantity": None, "venue_id": earlier.venue_id,
        "starts_at": at(26, 18).isoformat(), "ends_at": at(26, 22).isoformat(),  # rests 6 h: too short
    }  # fmt: skip

    with transaction.atomic():
        assert list(conflicts(operation, teams={team.pk}, lines=set())) == []  # cached: nothing yet
        made = proposal_checks.insert(UserFactory(), [placement], "Proposal")
        refused = proposal_checks.refused(operation, [a.pk for a in made])
        transaction.set_rollback(True)

    assert [code for code, _message in refused.values()] == ["rest_too_short"]

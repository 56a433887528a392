"""Amendments (SPEC §4): a change set on a pledge with the ministry, decided change by change; assignments an
accepted change makes impossible are cancelled with the reason, and nothing else moves."""

import datetime as dt
from functools import partial

import pytest

from core.errors import InvalidTransition, RuleViolation
from deployments.models import Assignment
from deployments.transitions import create_assignment
from notifications.models import Notification
from pledges.amendment_transitions import amend_pledge, decide_amendment
from pledges.models import Amendment, AmendmentChange, K9Team, PledgeLine
from pledges.transitions import withdraw_pledge
from tests.api.conftest import client_as
from tests.deployments.test_concurrency import race
from tests.factories import (
    AssignmentFactory,
    CoordinatorFactory,
    K9TeamFactory,
    LiaisonFactory,
    OperationFactory,
    PledgeFactory,
    PledgeLineFactory,
    VenueFactory,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db

RENEWED = "2027-12-31"


@pytest.fixture
def pledge():
    """An accepted Polish pledge: two lines of 10 officers, each with two planned assignments that overlap
    (6 + 4: all 10 at once), and two teams, each with one planned assignment."""
    pledge = PledgeFactory(status="accepted", request__country="PL")
    for code in ("public_order", "river"):
        line = PledgeLineFactory(pledge=pledge, specialty=specialty(code), officers_offered=10, officers_accepted=10)
        AssignmentFactory(pledge_line=line, quantity=6, starts_at=at(26, 8), ends_at=at(26, 16))
        AssignmentFactory(pledge_line=line, quantity=4, starts_at=at(26, 10), ends_at=at(26, 18))
    for _ in range(2):
        team = K9TeamFactory(pledge=pledge, accepted=True)
        AssignmentFactory(pledge_line=None, k9_team=team, quantity=None, starts_at=at(27, 8), ends_at=at(27, 16))
    return pledge


def _statuses(pledge):
    return dict(Assignment.objects.filter(pledge=pledge).values_list("pk", "status"))


def _accept_all(amendment, actor, accepted=True):
    return decide_amendment(
        amendment.pk, actor=actor, changes={c.pk: accepted for c in amendment.changes.all()}, decision_note="OK"
    )


def _others_untouched(before, after, touched):
    return {pk: s for pk, s in before.items() if pk not in touched} == {
        pk: s for pk, s in after.items() if pk not in touched
    }


def test_a_liaison_amending_an_accepted_pledge_gets_a_change_set_and_the_coordinators_are_told_once(
    pledge, liaison_pl, coordinators
):
    line = pledge.lines.first()

    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, note="Fewer at home.", lines=[{"id": line.pk, "officers_offered": 8}]
    )

    change = amendment.changes.get()
    assert (amendment.status, change.kind, change.target) == ("submitted", "change_line", line.pk)
    assert (change.before["officers_offered"], change.after["officers_offered"]) == (10, 8)
    line.refresh_from_db()
    assert line.officers_offered == 10  # nothing applied before the decision
    told = Notification.objects.filter(event="pledge_amended", channel="in_app")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(c.pk for c in coordinators)
    assert "officers offered 10 → 8" in told.get(recipient=coordinators[0]).body


def test_lowering_a_lines_officers_cancels_only_the_assignments_over_the_new_number(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    first, second = Assignment.objects.filter(pledge_line=line).order_by("pk")
    before = _statuses(pledge)
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 7}])

    _accept_all(amendment, coordinator)

    line.refresh_from_db()
    assert (line.officers_offered, line.officers_accepted) == (7, 7)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "planned"
    assert second.status == "cancelled"
    assert second.status_reason.startswith(f"Amendment #{amendment.pk}: ")
    assert _others_untouched(before, _statuses(pledge), {second.pk})
    pledge.refresh_from_db()
    assert pledge.status == "accepted"


def test_raising_a_lines_officers_keeps_the_accepted_number_and_every_assignment(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    before = _statuses(pledge)
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 15}])

    _accept_all(amendment, coordinator)

    line.refresh_from_db()
    assert (line.officers_offered, line.officers_accepted) == (15, 10)
    assert _statuses(pledge) == before
    pledge.refresh_from_db()
    assert pledge.status == "partially_accepted"


def test_shrinking_availability_cancels_the_assignments_outside_it(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    before = _statuses(pledge)
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "available_to": dt.date(2024, 7, 25)}])

    _accept_all(amendment, coordinator)

    cancelled = {pk for pk, s in _statuses(pledge).items() if s == "cancelled"}
    assert cancelled == set(Assignment.objects.filter(pledge_line=line).values_list("pk", flat=True))
    assert _others_untouched(before, _statuses(pledge), cancelled)
    assert "available from 2024-07-10 to 2024-07-25 only" in Assignment.objects.get(pk=min(cancelled)).status_reason


def test_substituting_a_dog_cancels_that_teams_assignments_and_keeps_it_accepted(pledge, liaison_pl, coordinators):
    team = pledge.k9_teams.first()
    old = Assignment.objects.get(k9_team=team)
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, note="Rex is ill.",
        k9_teams=[{"id": team.pk, "dog_name": "Luna", "microchip": "616093900099999", "certification_expires_on": dt.date(2027, 12, 31)}],
    )  # fmt: skip

    decide_amendment(amendment.pk, actor=coordinators[0], changes={amendment.changes.get().pk: True})

    team.refresh_from_db()
    old.refresh_from_db()
    assert (team.dog_name, team.accepted) == ("Luna", True)
    assert old.status == "cancelled" and "Team substituted by amendment" in old.status_reason
    assert _others_untouched(before, _statuses(pledge), {old.pk})
    liaison_told = Notification.objects.filter(event="amendment_decided", recipient=liaison_pl, channel="in_app")
    coordinator_told = Notification.objects.filter(
        event="amendment_decided", recipient=coordinators[1], channel="in_app"
    )
    assert liaison_told.count() == 1 and coordinator_told.count() == 1
    assert "This assignment was cancelled:" in liaison_told.get().body


def test_renewing_a_certification_keeps_every_assignment(pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.first()
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, k9_teams=[{"id": team.pk, "certification_expires_on": dt.date(2027, 12, 31)}]
    )

    _accept_all(amendment, coordinator)

    team.refresh_from_db()
    assert team.certification_expires_on == dt.date(2027, 12, 31)
    assert _statuses(pledge) == before


def test_a_certification_now_ending_before_an_assignment_cancels_it(pledge, liaison_pl, coordinator, monkeypatch):
    team = pledge.k9_teams.first()
    # Amended during the Games (the factories' operation is in July 2024): a date not yet past then.
    monkeypatch.setattr("pledges.amendment_transitions.timezone.localdate", lambda: dt.date(2024, 7, 15))
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, k9_teams=[{"id": team.pk, "certification_expires_on": dt.date(2024, 7, 26)}]
    )

    _accept_all(amendment, coordinator)

    assignment = Assignment.objects.get(k9_team=team)
    assert assignment.status == "cancelled"
    assert "certification expires on 2024-07-26" in assignment.status_reason


def test_readiness_data_pushed_past_an_assignment_cancels_it(pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.first()
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, k9_teams=[{"id": team.pk, "rabies_vaccinated_on": dt.date(2024, 7, 20)}]
    )

    _accept_all(amendment, coordinator)

    assignment = Assignment.objects.get(k9_team=team)
    assert assignment.status == "cancelled" and "may cross the border from 2024-08-10" in assignment.status_reason


def test_changing_the_legal_status_keeps_the_assignments(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "legal_status": "gendarmerie", "armed": True}]
    )

    _accept_all(amendment, coordinator)

    line.refresh_from_db()
    assert (line.legal_status, line.armed) == ("gendarmerie", True)
    assert _statuses(pledge) == before


def test_an_added_line_and_team_come_accepted_in_full(pledge, liaison_pl, coordinator):
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl,
        lines=[{"specialty": specialty("mounted"), "officers_offered": 4, "available_from": dt.date(2024, 7, 20),
                "available_to": dt.date(2024, 8, 10)}],
        k9_teams=[{"handler_name": "Sgt. Nowak", "dog_name": "Bora", "dog_breed": "Malinois", "detection": "narcotics",
                   "certification_expires_on": dt.date(2027, 12, 31), "available_from": dt.date(2024, 7, 20),
                   "available_to": dt.date(2024, 8, 10)}],
    )  # fmt: skip

    _accept_all(amendment, coordinator)

    added_line = PledgeLine.objects.get(pledge=pledge, specialty__code="mounted")
    added_team = K9Team.objects.get(pledge=pledge, dog_name="Bora")
    assert (added_line.officers_offered, added_line.officers_accepted) == (4, 4)
    assert added_team.accepted is True
    assert sorted(amendment.changes.values_list("target", flat=True)) == sorted([added_line.pk, added_team.pk])
    assert _statuses(pledge) == before


def test_removing_a_line_and_a_team_withdraws_them_and_cancels_only_their_assignments(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    team = pledge.k9_teams.first()
    theirs = set(Assignment.objects.filter(pledge_line=line).values_list("pk", flat=True)) | {
        Assignment.objects.get(k9_team=team).pk
    }
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, note="Recalled.", remove_lines=[line.pk], remove_k9_teams=[team.pk]
    )

    _accept_all(amendment, coordinator)

    line.refresh_from_db()
    team.refresh_from_db()
    assert line.is_withdrawn and team.is_withdrawn and line.withdraw_reason == "Recalled."
    assert {pk for pk, s in _statuses(pledge).items() if s == "cancelled"} == theirs
    assert _others_untouched(before, _statuses(pledge), theirs)


def test_rejected_changes_leave_everything_as_it_was(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    team = pledge.k9_teams.first()
    before = _statuses(pledge)
    amendment = amend_pledge(
        pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 1}], remove_k9_teams=[team.pk]
    )

    _accept_all(amendment, coordinator, accepted=False)

    line.refresh_from_db()
    team.refresh_from_db()
    amendment.refresh_from_db()
    assert (line.officers_offered, line.officers_accepted, team.is_withdrawn) == (10, 10, False)
    assert _statuses(pledge) == before
    assert amendment.status == "decided" and set(amendment.changes.values_list("accepted", flat=True)) == {False}


def test_one_accepted_and_one_rejected_change_apply_only_the_accepted_one(pledge, liaison_pl, coordinator):
    line, other = pledge.lines.all()
    amendment = amend_pledge(
        pledge.pk,
        actor=liaison_pl,
        lines=[{"id": line.pk, "officers_offered": 12}, {"id": other.pk, "officers_offered": 3}],
    )
    raise_change, lower_change = amendment.changes.order_by("pk")

    decide_amendment(amendment.pk, actor=coordinator, changes={raise_change.pk: True, lower_change.pk: False})

    line.refresh_from_db()
    other.refresh_from_db()
    assert (line.officers_offered, other.officers_offered) == (12, 10)
    assert not Assignment.objects.filter(status="cancelled").exists()


def test_a_second_amendment_waits_for_the_first_to_be_decided(pledge, liaison_pl):
    line = pledge.lines.first()
    amend_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 8}])
    response = client_as(liaison_pl).post(
        f"/api/v1/pledges/{pledge.pk}/amendments/", {"lines": [{"id": line.pk, "officers_offered": 7}]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Amendment.objects.count() == 1


def test_every_change_must_be_decided(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    amendment = amend_pledge(
        pledge.pk,
        actor=liaison_pl,
        lines=[{"id": line.pk, "officers_offered": 8}],
        remove_lines=[pledge.lines.last().pk],
    )
    first = amendment.changes.first()

    response = client_as(coordinator).post(
        f"/api/v1/amendments/{amendment.pk}/decide/", {"changes": [{"id": first.pk, "accepted": True}]}, format="json"
    )

    assert response.status_code == 400
    assert "Decide every change" in str(response.json())
    amendment.refresh_from_db()
    assert amendment.status == "submitted"


def test_an_amendment_of_a_pledge_withdrawn_since_cannot_be_decided(pledge, liaison_pl, coordinator):
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, remove_lines=[pledge.lines.first().pk])
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled home.")

    with pytest.raises(InvalidTransition) as refused:
        _accept_all(amendment, coordinator)

    assert "its pledge is withdrawn" in refused.value.message
    assert Amendment.objects.get().status == "submitted"


# Over the API: the contract of SPEC §4, bad input and isolation.


def test_the_api_answers_201_with_the_change_set(pledge, liaison_pl):
    team = pledge.k9_teams.first()

    response = client_as(liaison_pl).post(
        f"/api/v1/pledges/{pledge.pk}/amendments/",
        {"note": "Rex is ill.", "k9_teams": [{"id": team.pk, "dog_name": "Luna", "certification_expires_on": RENEWED}]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    [change] = body["changes"]
    assert (change["kind"], change["target"], change["before"]["dog_name"], change["after"]["dog_name"]) == (
        "change_team", team.pk, team.dog_name, "Luna",
    )  # fmt: skip


def test_a_coordinator_decides_over_the_api(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, lines=[{"id": line.pk, "officers_offered": 9}])
    change = amendment.changes.get()

    response = client_as(coordinator).post(
        f"/api/v1/amendments/{amendment.pk}/decide/",
        {"decision_note": "Fine.", "changes": [{"id": change.pk, "accepted": True}]}, format="json",
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "decided"
    assert response.json()["changes"][0]["accepted"] is True


def _amend(client, pledge, body):
    return client.post(f"/api/v1/pledges/{pledge.pk}/amendments/", body, format="json")


def test_amending_a_withdrawn_pledge_is_refused_and_writes_nothing(liaison_pl):
    pledge = PledgeFactory(status="withdrawn", request__country="PL")
    line = PledgeLineFactory(pledge=pledge)

    response = _amend(client_as(liaison_pl), pledge, {"lines": [{"id": line.pk, "officers_offered": 3}]})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not Amendment.objects.exists()


def test_a_substitution_with_an_expired_certification_is_refused_and_writes_nothing(pledge, liaison_pl):
    team = pledge.k9_teams.first()

    response = _amend(
        client_as(liaison_pl),
        pledge,
        {"k9_teams": [{"id": team.pk, "dog_name": "Luna", "certification_expires_on": "2025-01-31"}]},
    )

    assert response.status_code == 400
    assert "already expired" in str(response.json())
    assert not Amendment.objects.exists() and not AmendmentChange.objects.exists()


def test_a_14_digit_microchip_is_refused_and_writes_nothing(pledge, liaison_pl):
    team = pledge.k9_teams.first()

    response = _amend(client_as(liaison_pl), pledge, {"k9_teams": [{"id": team.pk, "microchip": "61609390000000"}]})

    assert response.status_code == 400
    assert "exactly 15 digits" in str(response.json())
    assert not Amendment.objects.exists()


def test_a_vaccination_date_in_the_future_is_refused_and_writes_nothing(pledge, liaison_pl):
    team = pledge.k9_teams.first()
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()

    response = _amend(client_as(liaison_pl), pledge, {"k9_teams": [{"id": team.pk, "rabies_vaccinated_on": tomorrow}]})

    assert response.status_code == 400
    assert "in the future" in str(response.json())
    assert not Amendment.objects.exists()


def test_ids_of_another_pledge_are_refused_and_nothing_is_written(pledge, liaison_pl):
    stranger = PledgeLineFactory(
        pledge=PledgeFactory(status="accepted", request__country="PL", request__authority="defence")
    )
    good = pledge.lines.first()

    response = _amend(
        client_as(liaison_pl), pledge,
        {"lines": [{"id": good.pk, "officers_offered": 5}, {"id": stranger.pk, "officers_offered": 5}]},
    )  # fmt: skip
    removal = _amend(client_as(liaison_pl), pledge, {"remove_lines": [stranger.pk]})

    assert (response.status_code, removal.status_code) == (400, 400)
    assert not Amendment.objects.exists()


def test_changing_and_removing_the_same_line_at_once_is_refused(pledge, liaison_pl):
    line = pledge.lines.first()

    response = _amend(
        client_as(liaison_pl), pledge, {"lines": [{"id": line.pk, "officers_offered": 5}], "remove_lines": [line.pk]}
    )

    assert response.status_code == 400
    assert "only once" in str(response.json())
    assert not Amendment.objects.exists()


def test_an_amendment_that_changes_nothing_is_refused(pledge, liaison_pl):
    line = pledge.lines.first()

    response = _amend(client_as(liaison_pl), pledge, {"lines": [{"id": line.pk, "officers_offered": 10}]})

    assert response.status_code == 400
    assert not Amendment.objects.exists()


def test_another_countrys_liaison_gets_404_for_its_pledge_amendments_and_change_sets(pledge, liaison_pl, liaison_de):
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, remove_lines=[pledge.lines.first().pk])
    german = client_as(liaison_de)

    assert german.get("/api/v1/amendments/", {"pledge": pledge.pk}).status_code == 404
    assert german.get(f"/api/v1/amendments/{amendment.pk}/").status_code == 404
    assert _amend(german, pledge, {"remove_lines": [pledge.lines.first().pk]}).status_code == 404
    assert german.post(f"/api/v1/amendments/{amendment.pk}/decide/", {"changes": []}, format="json").status_code == 404
    assert german.get("/api/v1/amendments/").json()["count"] == 0


def test_the_pledges_liaison_lists_its_amendments(pledge, liaison_pl):
    amend_pledge(pledge.pk, actor=liaison_pl, remove_lines=[pledge.lines.first().pk])

    response = client_as(liaison_pl).get("/api/v1/amendments/", {"pledge": pledge.pk})

    assert response.status_code == 200
    assert [row["changes"][0]["kind"] for row in response.json()["results"]] == ["remove_line"]


def test_a_liaison_cannot_decide_an_amendment(pledge, liaison_pl):
    amendment = amend_pledge(pledge.pk, actor=liaison_pl, remove_lines=[pledge.lines.first().pk])
    change = amendment.changes.get()

    response = client_as(liaison_pl).post(
        f"/api/v1/amendments/{amendment.pk}/decide/", {"changes": [{"id": change.pk, "accepted": True}]}, format="json"
    )

    assert response.status_code == 403
    assert Amendment.objects.get().status == "submitted"


# The race: a coordinator places a team while another accepts a change that makes the placement impossible.


@pytest.mark.django_db(transaction=True)
def test_an_amendment_decision_racing_a_placement_on_the_same_team_never_leaves_a_broken_assignment():
    for round_ in range(4):
        coordinator, placer = CoordinatorFactory(), CoordinatorFactory()
        liaison = LiaisonFactory(country="PL")
        operation = OperationFactory(code=f"amend-race-{round_}")
        pledge = PledgeFactory(status="accepted", request__country="PL", request__operation=operation)
        team = K9TeamFactory(pledge=pledge, accepted=True, certification_expires_on=dt.date(2027, 12, 31))
        venue = VenueFactory(operation=operation)
        amendment = amend_pledge(
            pledge.pk, actor=liaison, k9_teams=[{"id": team.pk, "available_to": dt.date(2024, 7, 25)}]
        )
        change = amendment.changes.get()

        results = race(
            partial(decide_amendment, amendment.pk, actor=coordinator, changes={change.pk: True}),
            partial(
                create_assignment, actor=placer, venue=venue, k9_team=team, starts_at=at(28, 8), ends_at=at(28, 16)
            ),
        )

        assert isinstance(results[0], Amendment), results
        placed = Assignment.objects.filter(k9_team=team)
        if isinstance(results[1], Assignment):  # placed first: the decision then cancelled it
            assert placed.get().status == "cancelled"
        else:  # decided first: the placement saw the shorter availability
            assert isinstance(results[1], RuleViolation) and results[1].code == "outside_availability", results
            assert not placed.exists()

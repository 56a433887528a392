"""Withdrawing single lines or K9 teams of a pledge (SPEC §4, amendments): only their open assignments are
cancelled, they are kept as withdrawn, never placed or counted again, and the coordinators are told once."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import InvalidTransition, RuleViolation
from deployments.models import Assignment
from deployments.queries import coverage_counts, planner_lines, planner_teams
from deployments.transitions import create_assignment
from notifications.models import Notification
from pledges.transitions import decide_pledge, withdraw_pledge
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
    accepted_line,
    at,
    specialty,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge():
    """An accepted Polish pledge: two lines and two teams, each with a planned assignment."""
    pledge = PledgeFactory(status="accepted", request__country="PL")
    for code in ("public_order", "river"):
        line = PledgeLineFactory(pledge=pledge, specialty=specialty(code), officers_offered=10, officers_accepted=10)
        AssignmentFactory(pledge_line=line, quantity=2)
    for _ in range(2):
        team = K9TeamFactory(pledge=pledge, accepted=True)
        AssignmentFactory(pledge_line=None, k9_team=team, quantity=None)
    return pledge


def _open(obj):
    field = "pledge_line" if hasattr(obj, "officers_offered") else "k9_team"
    return list(Assignment.objects.filter(**{field: obj}).values_list("status", "status_reason"))


def test_withdrawing_one_line_marks_it_and_cancels_only_its_assignments(pledge, liaison_pl):
    line, other = pledge.lines.all()
    team = pledge.k9_teams.first()

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Flood at home.", lines=[line.pk])

    line.refresh_from_db()
    pledge.refresh_from_db()
    assert pledge.status == "accepted"
    assert (line.is_withdrawn, line.withdrawn_by, line.withdraw_reason) == (True, liaison_pl, "Flood at home.")
    assert line.officers_accepted == 10  # the decision stands
    assert _open(line) == [("cancelled", "Withdrawn from the pledge: Flood at home.")]
    assert _open(other) == [("planned", "")]
    assert _open(team) == [("planned", "")]


def test_withdrawing_one_team_cancels_only_its_assignments(pledge, liaison_pl):
    team, other = pledge.k9_teams.all()

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Rex is ill.", k9_teams=[team.pk])

    team.refresh_from_db()
    assert team.withdrawn_at is not None
    assert _open(team)[0][0] == "cancelled"
    assert _open(other)[0][0] == "planned"
    assert Assignment.objects.filter(status="planned").count() == 3


def test_the_coordinators_are_told_once_with_the_withdrawn_and_the_cancelled(pledge, liaison_pl, coordinators):
    line = pledge.lines.first()
    team = pledge.k9_teams.first()

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[line.pk], k9_teams=[team.pk])

    told = Notification.objects.filter(channel="in_app")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(c.pk for c in coordinators)
    assert set(told.values_list("event", flat=True)) == {"pledge_partly_withdrawn"}
    body = told.get(recipient=coordinators[0]).body
    assert "10 officers offered" in body and team.dog_name in body
    assert "These 2 assignments were cancelled:" in body


def test_a_withdrawn_line_cannot_be_placed_again(pledge, liaison_pl, coordinator):
    line = pledge.lines.first()
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[line.pk])
    venue = VenueFactory(operation=pledge.request.operation)

    with pytest.raises(RuleViolation) as refused:
        create_assignment(
            actor=coordinator, venue=venue, starts_at=at(27, 8), ends_at=at(27, 12), pledge_line=line, quantity=1
        )

    assert refused.value.code == "not_accepted"
    assert "was withdrawn by its country" in refused.value.message


def test_a_withdrawn_team_cannot_be_placed_again(pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.first()
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", k9_teams=[team.pk])
    venue = VenueFactory(operation=pledge.request.operation)

    with pytest.raises(RuleViolation):
        create_assignment(actor=coordinator, venue=venue, starts_at=at(28, 8), ends_at=at(28, 12), k9_team=team)


def test_ids_of_another_pledge_or_already_withdrawn_are_refused_by_name_and_nothing_changes(pledge, liaison_pl):
    line, other = pledge.lines.all()
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[line.pk])
    stranger = PledgeLineFactory(pledge=PledgeFactory(status="accepted", request=pledge.request))

    with pytest.raises(ValidationError) as refused:
        withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Again.", lines=[line.pk, other.pk, stranger.pk])

    other.refresh_from_db()
    assert refused.value.message_dict["lines"] == [f"Not on this pledge: {stranger.pk}. Already withdrawn: {line.pk}."]
    assert not other.is_withdrawn
    assert _open(other) == [("planned", "")]


def test_withdrawing_every_remaining_line_and_team_withdraws_the_pledge(pledge, liaison_pl, coordinator):
    lines, teams = [o.pk for o in pledge.lines.all()], [o.pk for o in pledge.k9_teams.all()]
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="First.", lines=lines[:1])

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="All of it.", lines=lines[1:], k9_teams=teams)

    pledge.refresh_from_db()
    assert (pledge.status, pledge.withdraw_reason) == ("withdrawn", "All of it.")
    assert not Assignment.objects.exclude(status="cancelled").exists()
    assert Notification.objects.filter(event="pledge_withdrawn", recipient=coordinator, channel="in_app").count() == 1


def test_a_draft_pledge_is_edited_not_withdrawn_in_part(liaison_pl):
    line = PledgeLineFactory(pledge__status="draft", pledge__request__country="PL")
    PledgeLineFactory(pledge=line.pledge, specialty=specialty("river"))

    with pytest.raises(InvalidTransition):
        withdraw_pledge(line.pledge.pk, actor=liaison_pl, reason="No.", lines=[line.pk])

    line.refresh_from_db()
    assert not line.is_withdrawn


def test_a_partial_withdrawal_needs_a_reason(pledge, liaison_pl):
    line = pledge.lines.first()

    with pytest.raises(ValidationError):
        withdraw_pledge(pledge.pk, actor=liaison_pl, reason="  ", lines=[line.pk])

    line.refresh_from_db()
    assert not line.is_withdrawn


def test_a_submitted_pledge_is_then_decided_on_what_stands(liaison_pl, coordinator):
    pledge = PledgeFactory(status="submitted", request__country="PL")
    gone = PledgeLineFactory(pledge=pledge, officers_offered=5)
    kept = PledgeLineFactory(pledge=pledge, specialty=specialty("river"), officers_offered=8)
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[gone.pk])

    decide_pledge(pledge.pk, actor=coordinator, lines={kept.pk: 8}, k9_teams={})

    pledge.refresh_from_db()
    gone.refresh_from_db()
    assert pledge.status == "accepted"
    assert gone.officers_accepted == 0


def test_the_planner_and_coverage_do_not_count_withdrawn_capacity(pledge, liaison_pl):
    line = pledge.lines.get(specialty__code="river")
    team = pledge.k9_teams.first()
    day, starts, ends = dt.date(2024, 7, 27), at(27, 0), at(28, 0)
    op = pledge.request.operation.pk

    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[line.pk], k9_teams=[team.pk])

    assert line.pk not in {row["id"] for row in planner_lines(op, day, starts, ends)}
    assert team.pk not in {row["id"] for row in planner_teams(op, day, starts, ends)[0]}
    counts = {row["specialty"]: row for row in coverage_counts(op)}
    assert (counts["river"]["pledged"], counts["river"]["accepted"]) == (0, 0)
    assert counts["k9_explosives"]["accepted"] == 1


# ---- API and pages --------------------------------------------------------------------------------------


def test_the_api_withdraws_one_team_and_shows_it_withdrawn(pledge, liaison_pl):
    team = pledge.k9_teams.first()

    response = client_as(liaison_pl).post(
        f"/api/v1/pledges/{pledge.pk}/withdraw/", {"reason": "Rex is ill.", "k9_teams": [team.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.data["status"] == "accepted"
    shown = {row["id"]: row for row in response.data["k9_teams"]}
    assert shown[team.pk]["withdrawn_at"] is not None
    assert shown[team.pk]["withdraw_reason"] == "Rex is ill."
    assert all(row["withdrawn_at"] is None for pk, row in shown.items() if pk != team.pk)


def test_the_api_answers_400_naming_ids_of_another_pledge(pledge, liaison_pl):
    stranger = K9TeamFactory(pledge=PledgeFactory(status="accepted", request=pledge.request))

    response = client_as(liaison_pl).post(
        f"/api/v1/pledges/{pledge.pk}/withdraw/", {"reason": "x", "k9_teams": [stranger.pk]}, format="json"
    )

    assert response.status_code == 400
    assert str(stranger.pk) in str(response.json())
    assert not Assignment.objects.filter(status="cancelled").exists()


def test_a_liaison_of_another_country_gets_404_and_nothing_changes(pledge, liaison_de):
    line = pledge.lines.first()

    response = client_as(liaison_de).post(
        f"/api/v1/pledges/{pledge.pk}/withdraw/", {"reason": "x", "lines": [line.pk]}, format="json"
    )

    line.refresh_from_db()
    assert response.status_code == 404
    assert not line.is_withdrawn


def test_the_portal_page_withdraws_the_ticked_team_and_shows_it_withdrawn(client, pledge, liaison_pl):
    team = pledge.k9_teams.first()
    client.force_login(liaison_pl)

    response = client.post(
        reverse("portal:pledge_withdraw_part", args=[pledge.pk]),
        {"part-k9_teams": [str(team.pk)], "part-reason": "Rex is ill."},
        follow=True,
    )

    team.refresh_from_db()
    assert response.status_code == 200
    assert team.is_withdrawn
    assert "Rex is ill." in response.content.decode()


def test_the_portal_form_without_a_tick_says_so_and_changes_nothing(client, pledge, liaison_pl):
    client.force_login(liaison_pl)

    response = client.post(reverse("portal:pledge_withdraw_part", args=[pledge.pk]), {"part-reason": "x"})

    assert response.status_code == 200
    assert "Tick at least one line or K9 team to withdraw." in response.content.decode()
    assert not Assignment.objects.filter(status="cancelled").exists()


def test_the_portal_form_of_another_country_is_a_404(client, pledge, liaison_de):
    client.force_login(liaison_de)

    response = client.post(
        reverse("portal:pledge_withdraw_part", args=[pledge.pk]),
        {"part-lines": [str(pledge.lines.first().pk)], "part-reason": "x"},
    )

    assert response.status_code == 404


def test_the_staff_review_shows_a_withdrawn_team(client, pledge, liaison_pl, coordinator):
    team = pledge.k9_teams.first()
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Rex is ill.", k9_teams=[team.pk])
    client.force_login(coordinator)

    response = client.get(reverse("pledge_review", args=[pledge.pk]))

    assert "Withdrawn by the country" in response.content.decode()
    assert "Rex is ill." in response.content.decode()


def test_the_staff_pledge_list_and_request_page_count_what_stands(client, pledge, liaison_pl, coordinator):
    line = pledge.lines.get(specialty__code="river")
    withdraw_pledge(pledge.pk, actor=liaison_pl, reason="Recalled.", lines=[line.pk])
    client.force_login(coordinator)

    listed = client.get(reverse("pledge_list", args=[pledge.request.operation.code])).context["page_obj"][0]
    request_page = client.get(reverse("request_detail", args=[pledge.request.pk]))

    assert (listed.offered, listed.accepted_officers, listed.teams) == (10, 10, 2)
    assert (request_page.context["pledges"][0].offered, request_page.context["pledges"][0].teams) == (10, 2)
    by_code = {row.specialty.code: row for row in request_page.context["lines"]}
    assert "river" not in by_code or by_code["river"].offered == 0


@pytest.mark.django_db(transaction=True)
def test_a_placement_racing_the_withdrawal_of_its_line_never_leaves_people_of_it_on_duty():
    coordinator, liaison = CoordinatorFactory(), LiaisonFactory(country="PL")
    for round_ in range(10):
        operation = OperationFactory(code=f"part-race-{round_}")
        line = accepted_line(officers=10, pledge__request__country="PL", pledge__request__operation=operation)
        PledgeLineFactory(pledge=line.pledge, specialty=specialty("river"), officers_accepted=10)
        venue = VenueFactory(operation=operation)

        results = race(
            partial(
                create_assignment, actor=coordinator, venue=venue, pledge_line=line, quantity=2,
                starts_at=at(26, 8), ends_at=at(26, 16),
            ),
            partial(withdraw_pledge, line.pledge_id, actor=liaison, reason="Recalled.", lines=[line.pk]),
        )  # fmt: skip

        assert not any(isinstance(r, Exception) and not isinstance(r, RuleViolation) for r in results), results
        assert not Assignment.objects.filter(pledge_line=line).exclude(status="cancelled").exists()

"""SPEC §10 proposals: CP-SAT fills the gaps without breaking a rule; applied in one transaction, all or a
selection; stale, expired and other people's proposals are refused with nothing written."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import DomainError
from demo.scale.checks import rule_violations
from deployments import proposal_checks, proposals
from deployments.conflicts import conflicts
from deployments.models import Assignment, Proposal
from deployments.proposals import ExpiredProposal, StaleProposal, apply_proposal, run_proposal
from deployments.transitions import create_assignment, start_proposal
from notifications.models import Notification
from pledges.transitions import withdraw_pledge
from tests.factories import (
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    VenueNeedFactory,
    accepted_line,
    accepted_team,
    at,
    specialty,
)
from tests.notifications.conftest import empty_queue, running_worker, wait_until  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 7, 26)


def propose(actor, operation, **scope):
    proposal = start_proposal(
        actor=actor, operation=operation, expires_at=timezone.now() + proposals.LIFETIME, **scope
    )  # fmt: skip
    return run_proposal(proposal.pk)


def officer_hours(assignments) -> float:
    return sum((a.quantity or 1) * (a.ends_at - a.starts_at).total_seconds() / 3600 for a in assignments)


def greedy(actor, needs, sources):
    """The baseline: need by need in start order, each source in turn placing as many officers as the
    rule engine accepts (the same judge), largest first."""
    placed = []
    for need in sorted(needs, key=lambda n: (n.starts_at, n.pk)):
        left = need.quantity
        for line in sources:
            for q in range(min(left, line.officers_accepted), 0, -1):
                try:
                    placed.append(create_assignment(
                        actor=actor, venue=need.venue, starts_at=need.starts_at, ends_at=need.ends_at,
                        pledge_line=line, quantity=q, tell=False,
                    ))  # fmt: skip
                except DomainError:
                    continue
                left -= q
                break
    return placed


def crafted(max_duty_hours=12):
    """One line of 10 officers; at one venue a short need (07–15, 10 officers) and a long one (08–22, 10).
    Capacity: at most 10 at once over both; duty: at most 10 × 12 = 120 officer-hours in 24 h. The long
    need pays 14 h per officer, the short one 8 h: the optimum is the duty cap, 120 officer-hours (e.g. 8 on
    the long need and 1 on the short one). Greedy by start fills the short need first: 80."""
    line = accepted_line(officers=10)
    operation = line.pledge.request.operation
    rules = operation.rule_set
    rules["max_duty_hours"] = max_duty_hours
    operation.rules = rules
    operation.save()
    venue = VenueFactory(operation=operation)
    short = VenueNeedFactory(venue=venue, starts_at=at(26, 7), ends_at=at(26, 15), quantity=10)
    long = VenueNeedFactory(venue=venue, starts_at=at(26, 8), ends_at=at(26, 22), quantity=10)
    return operation, line, [short, long]


def test_a_proposal_reaches_the_hand_computed_optimum_and_beats_greedy(coordinator):
    operation, line, needs = crafted()

    proposal = propose(coordinator, operation)
    placed = apply_proposal(proposal.pk, actor=coordinator)

    assert proposal.status == Proposal.Status.READY
    assert officer_hours(placed) == pytest.approx(120)
    assert proposal.result["stats"]["covered_officer_hours"] == pytest.approx(120)
    Assignment.objects.filter(pk__in=[a.pk for a in placed]).delete()
    assert officer_hours(greedy(coordinator, needs, [line])) == pytest.approx(80)


def test_applying_every_proposed_assignment_breaks_no_rule_and_leaves_no_conflict(coordinator):
    operation, line, _needs = crafted()
    team = accepted_team(pledge=line.pledge)
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(
        venue=venue, specialty=specialty("k9_explosives"), starts_at=at(26, 6), ends_at=at(26, 14), quantity=1
    )
    VenueNeedFactory(
        venue=venue, specialty=specialty("k9_explosives"), starts_at=at(26, 15), ends_at=at(26, 20), quantity=1
    )

    proposal = propose(coordinator, operation)
    placed = apply_proposal(proposal.pk, actor=coordinator)

    assert proposal.result["stats"]["dropped"] == []
    assert len(placed) == len(proposal.result["assignments"])
    assert [a.k9_team_id for a in placed if a.k9_team_id] == [team.pk]  # one of the two: rest 1 h is too short
    assert list(conflicts(operation)) == []
    assert not any(rule_violations(operation.pk).values())
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPLIED


def test_the_quality_is_the_cover_against_an_upper_bound_computed_in_the_same_run(coordinator):
    operation, _line, _needs = crafted()

    stats = propose(coordinator, operation).result["stats"]

    # per minute the gap (10, 20, 10) against 10 free officers: 150 officer-hours; the day's duty: 10 × 12 h
    assert stats["bound_officer_hours"] == pytest.approx(120)
    assert stats["covered_officer_hours"] == pytest.approx(120)
    assert stats["quality"] == pytest.approx(1.0)


def test_a_source_refused_by_another_need_its_placement_would_cover_is_not_proposed(coordinator):
    """rules.needs checks every need a placement covers (its venue and specialty, overlapping it), not
    only the one it is for: a line speaking only Polish is not proposed for a need overlapped by another
    that asks for Spanish, whatever the first asks."""
    line = accepted_line(officers=5, languages=["pl"])
    operation = line.pledge.request.operation
    venue = VenueFactory(operation=operation)
    plain = VenueNeedFactory(venue=venue, quantity=5, starts_at=at(26, 8), ends_at=at(26, 16))
    VenueNeedFactory(venue=venue, quantity=1, languages=["es"], starts_at=at(26, 10), ends_at=at(26, 12))

    proposal = propose(coordinator, operation)

    assert proposal.result["assignments"] == []
    reasons = {u["need"]: [r["code"] for r in u["reasons"]] for u in proposal.result["uncovered"]}
    assert reasons[plain.pk] == ["language"]
    with pytest.raises(DomainError) as refused:  # what the rule engine says of that placement
        create_assignment(actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), pledge_line=line,
                          quantity=5)  # fmt: skip
    assert refused.value.code == "language_mismatch"


def test_the_set_wise_check_finds_what_the_rule_engine_would_refuse(coordinator):
    line = accepted_line(officers=3, languages=["pl"])
    operation = line.pledge.request.operation
    venue = VenueFactory(operation=operation)
    VenueNeedFactory(venue=venue, quantity=1, languages=["es"], starts_at=at(26, 18), ends_at=at(26, 20))
    placements = [
        {"kind": "line", "source": line.pk, "quantity": q, "venue_id": venue.pk, "starts_at": s.isoformat(),
         "ends_at": e.isoformat()}
        for q, s, e in [(2, at(26, 8), at(26, 12)), (2, at(26, 10), at(26, 14)), (1, at(26, 17), at(26, 19))]
    ]  # fmt: skip

    made = proposal_checks.insert(coordinator, placements, "Proposal")
    refused = proposal_checks.refused(operation, [a.pk for a in made])

    # 2 + 2 officers at 10:00 of a line of 3; the evening one covers a need asking for Spanish
    assert {pk: code for pk, (code, _detail) in refused.items()} == {
        made[0].pk: "capacity_exceeded", made[1].pk: "capacity_exceeded", made[2].pk: "language_mismatch",
    }  # fmt: skip


def test_a_proposal_prefers_a_line_that_speaks_the_language_asked(coordinator):
    speaker = accepted_line(officers=5, languages=["es"])
    operation = speaker.pledge.request.operation
    rules = operation.rule_set
    rules["modes"]["language_mismatch"] = "warn"
    operation.rules = rules
    operation.save()
    accepted_line(officers=5, languages=["pl"], pledge__request__operation=operation, pledge__request__country="DE")
    VenueNeedFactory(venue=VenueFactory(operation=operation), quantity=5, languages=["es"])

    proposal = propose(coordinator, operation)

    [assignment] = proposal.result["assignments"]
    assert (assignment["source"], assignment["quantity"], assignment["language_match"]) == (speaker.pk, 5, True)


def test_what_is_left_uncovered_says_why(coordinator):
    line = accepted_line(officers=3)
    operation = line.pledge.request.operation
    need = VenueNeedFactory(venue=VenueFactory(operation=operation), quantity=5)

    proposal = propose(coordinator, operation)

    [uncovered] = proposal.result["uncovered"]
    assert (uncovered["need"], uncovered["missing"]) == (need.pk, 2)
    assert [r["code"] for r in uncovered["reasons"]] == ["contention"]
    assert proposal.result["coverage_after"][0]["assigned"] == 3
    assert proposal.result["coverage_before"][0]["assigned"] == 0


def test_a_source_withdrawn_in_between_makes_the_proposal_stale_and_nothing_is_placed(coordinator, liaison_pl):
    operation, line, _needs = crafted()
    proposal = propose(coordinator, operation)

    withdraw_pledge(line.pledge_id, actor=liaison_pl, reason="Recalled home")
    with pytest.raises(StaleProposal) as err:
        apply_proposal(proposal.pk, actor=coordinator)

    assert err.value.code == "stale_proposal"
    assert "officer line" in str(err.value.message)
    assert not Assignment.objects.exclude(status="cancelled").exists()


def test_a_manual_placement_in_between_makes_the_proposal_stale(coordinator):
    operation, line, needs = crafted()
    proposal = propose(coordinator, operation)

    create_assignment(
        actor=coordinator, venue=needs[0].venue, starts_at=at(26, 7), ends_at=at(26, 9), pledge_line=line, quantity=1
    )
    with pytest.raises(StaleProposal):
        apply_proposal(proposal.pk, actor=coordinator)

    assert Assignment.objects.count() == 1


def test_applying_a_selection_places_only_those_and_tells_the_country_once(coordinator, liaison_pl):
    operation, _line, _needs = crafted(max_duty_hours=24)
    proposal = propose(coordinator, operation)

    placed = apply_proposal(proposal.pk, actor=coordinator, indexes=[0])

    assert len(proposal.result["assignments"]) >= 1
    assert [(a.venue.code, a.quantity) for a in placed] == [
        (proposal.result["assignments"][0]["venue"], proposal.result["assignments"][0]["quantity"])
    ]
    assert Notification.objects.filter(recipient=liaison_pl, event="assignments_planned", channel="in_app").count() == 1


def test_an_expired_proposal_is_refused_and_marked_expired(coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(ExpiredProposal):
        apply_proposal(proposal.pk, actor=coordinator)

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    assert not Assignment.objects.exists()


# ---- the API ------------------------------------------------------------------------------------------------


def test_asking_for_a_proposal_answers_202_with_its_url_and_the_task_makes_it_ready(api_client, coordinator):
    operation, _line, needs = crafted()
    api_client.force_authenticate(coordinator)

    response = api_client.post("/api/v1/proposals/", {"operation": operation.code, "venue": needs[0].venue_id,
                                                      "from_date": "2024-07-26", "to_date": "2024-07-26"},
                               format="json")  # fmt: skip
    run_proposal(response.data["id"])
    ready = api_client.get(response.data["url"])

    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/proposals/{response.data['id']}/"
    assert response.data["status"] == "running"
    assert (ready.data["status"], ready.data["progress"]) == ("ready", 100)
    assert ready.data["stats"]["covered_officer_hours"] == pytest.approx(120)


def test_applying_through_the_api_places_the_assignments(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    api_client.force_authenticate(coordinator)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert response.status_code == 200, response.data
    assert response.data["proposal"]["status"] == "applied"
    assert len(response.data["assignments"]) == len(proposal.result["assignments"])


def test_a_stale_proposal_is_a_409_saying_what_changed(api_client, coordinator, liaison_pl):
    operation, line, _needs = crafted()
    proposal = propose(coordinator, operation)
    withdraw_pledge(line.pledge_id, actor=liaison_pl, reason="Recalled home")
    api_client.force_authenticate(coordinator)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert response.status_code == 409
    assert response.data["code"] == "stale_proposal"
    assert "changed" in response.data["detail"]


def test_an_expired_proposal_is_a_409_with_its_own_code(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    api_client.force_authenticate(coordinator)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert (response.status_code, response.data["code"]) == (409, "proposal_expired")


def test_a_selection_outside_the_proposal_is_a_400_and_places_nothing(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    api_client.force_authenticate(coordinator)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {"assignments": [99]}, format="json")

    assert response.status_code == 400
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [({"operation": "paris-2024", "from_date": "2023-01-01"}, "from_date"),
     ({"operation": "nowhere"}, "operation"),
     ({"operation": "paris-2024", "from_date": "2024-07-20", "to_date": "2024-07-10"}, "to_date")],
)  # fmt: skip
def test_a_bad_scope_is_a_400_and_writes_nothing(api_client, coordinator, body, field):
    OperationFactory()
    api_client.force_authenticate(coordinator)

    response = api_client.post("/api/v1/proposals/", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not Proposal.objects.exists()


def test_a_venue_of_another_operation_is_a_400(api_client, coordinator):
    OperationFactory()
    other = VenueFactory(operation=OperationFactory(code="other-op"))
    api_client.force_authenticate(coordinator)

    response = api_client.post("/api/v1/proposals/", {"operation": "paris-2024", "venue": other.pk}, format="json")

    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_a_liaison_finds_no_proposal_and_cannot_ask_for_or_apply_one(api_client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    api_client.force_authenticate(LiaisonFactory(country="PL"))

    asked = api_client.post("/api/v1/proposals/", {"operation": operation.code}, format="json")
    read = api_client.get(f"/api/v1/proposals/{proposal.pk}/")
    applied = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert (asked.status_code, read.status_code, applied.status_code) == (404, 404, 404)
    assert Proposal.objects.count() == 1
    assert not Assignment.objects.exists()


def test_a_viewer_reads_proposals_but_may_not_ask_for_or_apply_one(api_client, coordinator, viewer):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    api_client.force_authenticate(viewer)

    asked = api_client.post("/api/v1/proposals/", {"operation": operation.code}, format="json")
    read = api_client.get(f"/api/v1/proposals/{proposal.pk}/")
    applied = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/", {}, format="json")

    assert (asked.status_code, read.status_code, applied.status_code) == (403, 200, 403)
    assert not Assignment.objects.exists()


# ---- through the real Celery worker -------------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_queue")
def test_a_proposal_asked_for_through_the_api_is_computed_by_the_real_worker(coordinator):
    operation, _line, _needs = crafted()
    client = APIClient()
    client.force_authenticate(coordinator)

    with running_worker():
        response = client.post("/api/v1/proposals/", {"operation": operation.code}, format="json")
        done = wait_until(lambda: Proposal.objects.get(pk=response.data["id"]).status != "running", timeout=30)

    proposal = Proposal.objects.get(pk=response.data["id"])
    assert done
    assert (proposal.status, proposal.progress) == ("ready", 100)
    assert proposal.result["stats"]["covered_officer_hours"] == pytest.approx(120)


# ---- the pages ----------------------------------------------------------------------------------------------


def test_a_coordinator_asks_for_a_proposal_on_the_page_and_is_taken_to_it(client, coordinator):
    operation, _line, needs = crafted()
    client.force_login(coordinator)

    response = client.post(f"/ops/{operation.code}/proposals/", {"venue": needs[0].venue_id, "from_date": "2024-07-26",
                                                                 "to_date": "2024-07-26"})  # fmt: skip

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert (proposal.venue_id, proposal.from_date) == (needs[0].venue_id, DAY)


def test_the_running_proposal_polls_and_the_ready_one_shows_cover_assignments_and_what_is_left(client, coordinator):
    operation, _line, _needs = crafted()
    running = start_proposal(actor=coordinator, operation=operation, expires_at=timezone.now() + proposals.LIFETIME)
    client.force_login(coordinator)

    polling = client.get(f"/proposals/{running.pk}/", headers={"HX-Request": "true"})
    run_proposal(running.pk)
    ready = client.get(f"/proposals/{running.pk}/")

    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "<html" not in polling.content.decode()
    body = ready.content.decode()
    assert 'hx-trigger="every 1s"' not in body
    assert 'name="assignment"' in body
    assert "Covers 120.0 of the" in body


def test_applying_the_ticked_assignments_on_the_page_places_only_those(client, coordinator):
    operation, _line, _needs = crafted(max_duty_hours=24)
    proposal = propose(coordinator, operation)
    client.force_login(coordinator)

    response = client.post(f"/proposals/{proposal.pk}/", {"assignment": ["0"]})

    assert response.status_code == 302
    assert Assignment.objects.count() == 1


def test_applying_with_nothing_ticked_places_nothing_and_says_so(client, coordinator):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)
    client.force_login(coordinator)

    response = client.post(f"/proposals/{proposal.pk}/", {}, follow=True)

    assert "Choose at least one proposed assignment." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_proposal_pages_do_not_exist_for_a_liaison_and_a_viewer_may_not_apply(client, coordinator, viewer):
    operation, _line, _needs = crafted()
    proposal = propose(coordinator, operation)

    client.force_login(LiaisonFactory(country="PL"))
    hidden = client.get(f"/proposals/{proposal.pk}/")
    client.force_login(viewer)
    refused = client.post(f"/proposals/{proposal.pk}/", {"assignment": ["0"]})

    assert (hidden.status_code, refused.status_code) == (404, 403)
    assert not Assignment.objects.exists()


def test_the_list_of_proposals_costs_the_same_queries_for_5_and_50(coordinator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    operation = OperationFactory()

    def build(n):
        for _ in range(n):
            start_proposal(actor=coordinator, operation=operation, expires_at=timezone.now() + proposals.LIFETIME)

    def count():
        client = APIClient()
        client.force_authenticate(type(coordinator).objects.get(pk=coordinator.pk))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/proposals/", {"page_size": 200})
        return len(ctx.captured_queries), response.data["count"]

    build(5)
    small, _rows = count()
    build(45)

    # a fresh user · groups (role) · count · page ⋈ operation ⋈ specialty
    with django_assert_max_num_queries(4):
        large, rows = count()

    assert (rows, large) == (50, small)

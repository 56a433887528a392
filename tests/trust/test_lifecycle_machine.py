"""Random sequences of moves by random actors (hypothesis stateful testing).

Whatever the order, the actor and the arguments, a move either happens - and then it is a
SPEC §4 move by a role SPEC §2 allows - or it is refused with DomainError, PermissionDenied
or ValidationError and changes nothing. After every step, every object's status was reached
by a legal move, and the SPEC §5 rules hold in the database.
"""

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from core.errors import DomainError
from deployments import transitions as assignments
from deployments.models import Assignment
from pledges import transitions as pledges
from pledges.models import Pledge
from reinforcements import transitions as requests
from reinforcements.models import ReinforcementRequest
from tests.factories import (
    CoordinatorFactory,
    LiaisonFactory,
    OperationFactory,
    VenueFactory,
    ViewerFactory,
    at,
    specialty,
)

REFUSALS = (DomainError, PermissionDenied, ValidationError)
ACTORS = ["coordinator", "viewer", "liaison_pl", "liaison_de", "anonymous"]
# Anyone may try anything; the actor a move needs is drawn more often, so that runs get deep
# enough (decided pledges, assignments) to matter.
ANYONE = st.sampled_from(ACTORS)
COORDINATOR = ANYONE | st.just("coordinator")
LIAISON = ANYONE | st.just("liaison_pl")
_machines = itertools.count(1)
REACHED = Counter()  # (model, status) seen, over all runs

# SPEC §4: (from, to) for every legal move, and who may make it (SPEC §2).
REQUEST_MOVES = {
    "send": ({"draft"}, "sent", "coordinator"),
    "acknowledge": ({"sent"}, "acknowledged", "liaison"),
    "decline": ({"sent", "acknowledged"}, "declined", "liaison"),
    "cancel": ({"draft", "sent", "acknowledged"}, "cancelled", "coordinator"),
    "close": ({"sent", "acknowledged"}, "closed", "coordinator"),
}
PLEDGE_MOVES = {
    "submit": ({"draft", "changes_requested"}, {"submitted"}, "liaison"),
    "request_changes": ({"submitted"}, {"changes_requested"}, "coordinator"),
    "decide": ({"submitted"}, {"accepted", "partially_accepted", "rejected"}, "coordinator"),
    "withdraw": (
        {"draft", "submitted", "changes_requested", "accepted", "partially_accepted"},
        {"withdrawn"},
        "liaison",
    ),
}
ASSIGNMENT_MOVES = {
    "confirm": ({"planned"}, "confirmed", "coordinator_or_liaison"),
    "start": ({"planned", "confirmed"}, "active", "coordinator_or_liaison"),
    "complete": ({"active"}, "completed", "coordinator_or_liaison"),
    "cancel": ({"planned", "confirmed", "active"}, "cancelled", "coordinator"),
}
EDGES = {
    ReinforcementRequest: {(f, to) for froms, to, _ in REQUEST_MOVES.values() for f in froms},
    Pledge: {(f, to) for froms, tos, _ in PLEDGE_MOVES.values() for f in froms for to in tos},
    # Moving a confirmed assignment sends it back to planned for the country to confirm
    # again (deployments.transitions.move_assignment); withdrawing its pledge cancels it.
    Assignment: {(f, to) for froms, to, _ in ASSIGNMENT_MOVES.values() for f in froms} | {("confirmed", "planned")},
}


def _may(actor_name: str, who: str, country: str) -> bool:
    liaison_of_country = actor_name == f"liaison_{country.lower()}"
    return {
        "coordinator": actor_name == "coordinator",
        "liaison": liaison_of_country,
        "coordinator_or_liaison": actor_name == "coordinator" or liaison_of_country,
    }[who]


class Lifecycles(RuleBasedStateMachine):
    users: dict  # set once per test: hashing five passwords per example would be most of the run

    def __init__(self):
        super().__init__()
        self.operation = OperationFactory(code=f"machine-{next(_machines)}")
        self.venue = VenueFactory(operation=self.operation)
        self.request_ids, self.pledge_ids, self.assignment_ids = [], [], []
        self.seen = {}
        # A head start, so that runs reach decisions and deployments: a request sent to PL, a
        # submitted pledge and an accepted one, each of two officer lines and two K9 teams (one
        # of them certified too briefly).
        coordinator, liaison = self.users["coordinator"], self.users["liaison_pl"]
        self.create_request("coordinator", "PL", "interior")
        requests.send_request(self.request_ids[0], actor=coordinator)
        for _ in range(2):
            self.create_pledge("liaison_pl", 0, [4, 2], [dt.date(2025, 6, 30), dt.date(2024, 7, 27)])
            pledges.submit_pledge(self.pledge_ids[-1], actor=liaison)
        accepted = Pledge.objects.get(pk=self.pledge_ids[-1])
        pledges.decide_pledge(
            accepted.pk, actor=coordinator,
            lines={line.pk: line.officers_offered for line in accepted.lines.all()},
            k9_teams=dict.fromkeys(accepted.k9_teams.values_list("pk", flat=True), True),
        )  # fmt: skip

    def _attempt(self, move, *args, **kwargs):
        """Run a move; True if it happened, False if refused the allowed way."""
        try:
            move(*args, **kwargs)
        except REFUSALS:
            return False
        return True

    # Requests -------------------------------------------------------------------------
    @rule(actor=COORDINATOR, country=st.sampled_from(["PL", "DE"]), authority=st.sampled_from(["interior", "defence"]))
    def create_request(self, actor, country, authority):
        try:
            req = requests.create_request(
                actor=self.users[actor], operation=self.operation, country=country, authority=authority,
                period_start=dt.date(2024, 7, 10), period_end=dt.date(2024, 8, 20), response_due=dt.date(2024, 3, 1),
                lines=[(specialty("public_order"), 20), (specialty("k9_explosives"), 2)],
            )  # fmt: skip
        except REFUSALS:
            return
        assert actor == "coordinator"
        self.request_ids.append(req.pk)

    @precondition(lambda self: self.request_ids)
    @rule(move=st.sampled_from(sorted(REQUEST_MOVES)), actor=ANYONE | COORDINATOR | LIAISON, pick=st.integers(0, 99))
    def move_request(self, move, actor, pick):
        pk = self.request_ids[pick % len(self.request_ids)]
        kwargs = {"reason": "a reason"} if move in ("decline", "cancel") else {}
        if self._attempt(getattr(requests, f"{move}_request"), pk, actor=self.users[actor], **kwargs):
            assert _may(actor, REQUEST_MOVES[move][2], ReinforcementRequest.objects.get(pk=pk).country), (move, actor)

    # Pledges --------------------------------------------------------------------------
    @precondition(lambda self: self.request_ids)
    @rule(
        actor=LIAISON, pick=st.integers(0, 99),
        offers=st.lists(st.integers(1, 6), max_size=2), teams=st.lists(st.sampled_from([dt.date(2024, 7, 27), dt.date(2025, 6, 30)]), max_size=2),
    )  # fmt: skip
    def create_pledge(self, actor, pick, offers, teams):
        pk = self.request_ids[pick % len(self.request_ids)]
        lines = [
            {"specialty": specialty("public_order"), "officers_offered": n, "available_from": dt.date(2024, 7, 20),
             "available_to": dt.date(2024, 8, 10), "languages": ["pl"]}
            for n in offers
        ]  # fmt: skip
        k9_teams = [
            {"handler_name": f"Handler {i}", "dog_name": f"Dog {i}", "dog_breed": "Malinois", "detection": "explosives",
             "certification_expires_on": expires, "available_from": dt.date(2024, 7, 20), "available_to": dt.date(2024, 8, 10),
             "microchip": f"{616093900000000 + i:015d}", "pet_passport": f"PL-{i:06d}", "rabies_vaccinated_on": dt.date(2024, 5, 1)}
            for i, expires in enumerate(teams)
        ]  # fmt: skip
        try:
            pledge = pledges.create_pledge(
                actor=self.users[actor], request_id=pk, lines=lines, k9_teams=k9_teams,
                commander_name="Insp. Anna Nowak", commander_contact="+48 22 000 00 00",
            )  # fmt: skip
        except REFUSALS:
            return
        assert _may(actor, "liaison", pledge.request.country)
        assert pledge.request.status in ("sent", "acknowledged")
        self.pledge_ids.append(pledge.pk)

    @precondition(lambda self: self.pledge_ids)
    @rule(
        move=st.sampled_from(sorted(PLEDGE_MOVES)), actor=COORDINATOR | LIAISON, pick=st.integers(0, 99),
        accepted=st.lists(st.integers(0, 6), min_size=2, max_size=2), teams=st.lists(st.booleans(), min_size=2, max_size=2),
    )  # fmt: skip
    def move_pledge(self, move, actor, pick, accepted, teams):
        pk = self.pledge_ids[pick % len(self.pledge_ids)]
        pledge = Pledge.objects.get(pk=pk)
        kwargs = {
            "submit": {},
            "request_changes": {"note": "More dog handlers, please."},
            "withdraw": {"reason": "Needed at home."},
            "decide": {
                "decision_note": "Thank you.",
                "lines": {
                    line.pk: min(n, line.officers_offered)
                    for line, n in zip(pledge.lines.all(), accepted, strict=False)
                },
                "k9_teams": dict(zip(pledge.k9_teams.values_list("pk", flat=True), teams, strict=False)),
            },
        }[move]
        if self._attempt(
            getattr(pledges, f"{move}_pledge" if move != "request_changes" else move),
            pk,
            actor=self.users[actor],
            **kwargs,
        ):
            assert _may(actor, PLEDGE_MOVES[move][2], pledge.request.country), (move, actor)

    @precondition(lambda self: self.pledge_ids)
    @rule(actor=LIAISON, pick=st.integers(0, 99), offered=st.integers(0, 6))
    def edit_pledge(self, actor, pick, offered):
        pk = self.pledge_ids[pick % len(self.pledge_ids)]
        before = Pledge.objects.get(pk=pk)
        lines = [{"id": line.pk, "officers_offered": offered} for line in before.lines.all()]
        if self._attempt(pledges.update_pledge, pk, actor=self.users[actor], notes="Edited.", lines=lines):
            assert _may(actor, "liaison", before.request.country)
            assert before.status in Pledge.EDITABLE_STATUSES

    # Assignments ----------------------------------------------------------------------
    @precondition(lambda self: self.pledge_ids)
    @rule(
        actor=COORDINATOR, pick=st.integers(0, 99), use_team=st.booleans(), decided=st.booleans(),
        day=st.sampled_from([5, 21, 26, 27, 28]), hour=st.integers(0, 20), hours=st.integers(1, 12), quantity=st.integers(1, 6),
    )  # fmt: skip
    def place(self, actor, pick, use_team, decided, day, hour, hours, quantity):
        # Half the tries pick among the accepted pledges (when there are some), so that runs place people
        # often enough to matter; the other half from any pledge, refused unless accepted.
        pool = []
        if decided:
            accepted = Pledge.objects.filter(pk__in=self.pledge_ids, status__in=Pledge.ACCEPTED_STATUSES)
            pool = list(accepted.order_by("pk").values_list("pk", flat=True))
        pool = pool or self.pledge_ids
        pledge = Pledge.objects.get(pk=pool[pick % len(pool)])
        sources = list(pledge.k9_teams.all()) if use_team else list(pledge.lines.all())
        if not sources:
            return
        source = sources[pick % len(sources)]
        starts_at = at(day, hour)
        try:
            assignment = assignments.create_assignment(
                actor=self.users[actor], venue=self.venue, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=hours),
                role="Perimeter", quantity=quantity, **({"k9_team": source} if use_team else {"pledge_line": source}),
            )  # fmt: skip
        except REFUSALS:
            return
        assert actor == "coordinator"
        self.assignment_ids.append(assignment.pk)

    @precondition(lambda self: self.assignment_ids)
    @rule(move=st.sampled_from(sorted(ASSIGNMENT_MOVES)), actor=COORDINATOR | LIAISON, pick=st.integers(0, 99))
    def move_assignment_status(self, move, actor, pick):
        pk = self.assignment_ids[pick % len(self.assignment_ids)]
        kwargs = {"reason": "Venue closed."} if move == "cancel" else {}
        if self._attempt(getattr(assignments, f"{move}_assignment"), pk, actor=self.users[actor], **kwargs):
            assert _may(actor, ASSIGNMENT_MOVES[move][2], Assignment.objects.get(pk=pk).country), (move, actor)

    @precondition(lambda self: self.assignment_ids)
    @rule(actor=COORDINATOR, pick=st.integers(0, 99), hour=st.integers(0, 20), quantity=st.integers(1, 6))
    def reschedule(self, actor, pick, hour, quantity):
        pk = self.assignment_ids[pick % len(self.assignment_ids)]
        starts_at = at(26, hour)
        if self._attempt(
            assignments.move_assignment, pk, actor=self.users[actor], starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3), quantity=quantity,
        ):  # fmt: skip
            assert actor == "coordinator"

    # What must hold after every step -----------------------------------------------------
    @invariant()
    def every_status_change_is_a_legal_move(self):
        for model, ids in (
            (ReinforcementRequest, self.request_ids), (Pledge, self.pledge_ids), (Assignment, self.assignment_ids),
        ):  # fmt: skip
            for pk, status in model.objects.filter(pk__in=ids).values_list("pk", "status"):
                assert status in model.Status.values
                before = self.seen.get((model, pk))
                if before is not None and before != status:
                    assert (before, status) in EDGES[model], f"{model.__name__} {pk}: {before} -> {status}"
                self.seen[(model, pk)] = status
                REACHED[(model.__name__, status)] += 1

    @invariant()
    def a_decision_matches_what_was_accepted(self):
        for pledge in Pledge.objects.filter(pk__in=self.pledge_ids).prefetch_related("lines", "k9_teams"):
            lines, teams = list(pledge.lines.all()), list(pledge.k9_teams.all())
            full = all(x.officers_accepted == x.officers_offered for x in lines) and all(t.accepted for t in teams)
            nothing = not any(x.officers_accepted for x in lines) and not any(t.accepted for t in teams)
            if pledge.status == "accepted":
                assert full
            elif pledge.status == "rejected":
                assert nothing
            elif pledge.status == "partially_accepted":
                assert not full and not nothing
            elif pledge.status in ("draft", "submitted", "changes_requested"):
                assert nothing

    @invariant()
    def the_spec_section_5_rules_hold(self):
        with connection.cursor() as cur:
            cur.execute(
                """
                SELECT count(*) FROM deployments_assignment a
                JOIN pledges_pledge p ON p.id = a.pledge_id
                LEFT JOIN pledges_pledgeline l ON l.id = a.pledge_line_id
                LEFT JOIN pledges_k9team t ON t.id = a.k9_team_id
                WHERE a.venue_id = %(venue)s AND a.status IN ('planned', 'confirmed', 'active') AND NOT (
                    p.status IN ('accepted', 'partially_accepted') AND coalesce(l.officers_accepted > 0, t.accepted)
                    AND (t.id IS NULL OR a.ends_at <= ((t.certification_expires_on + 1)::timestamp AT TIME ZONE 'Europe/Paris'))
                    AND a.starts_at >= (coalesce(l.available_from, t.available_from)::timestamp AT TIME ZONE 'Europe/Paris')
                    AND a.ends_at <= ((coalesce(l.available_to, t.available_to) + 1)::timestamp AT TIME ZONE 'Europe/Paris'))
                """,
                {"venue": self.venue.pk},
            )
            assert cur.fetchone()[0] == 0, "an open assignment outside accepted capacity, availability or certification"
            cur.execute(
                """
                SELECT count(*) FROM deployments_assignment a
                WHERE a.venue_id = %(venue)s AND a.pledge_line_id IS NOT NULL AND a.status <> 'cancelled'
                  AND (SELECT sum(b.quantity) FROM deployments_assignment b
                       WHERE b.pledge_line_id = a.pledge_line_id AND b.status <> 'cancelled'
                         AND b.starts_at <= a.starts_at AND b.ends_at > a.starts_at)
                      > (SELECT officers_accepted FROM pledges_pledgeline WHERE id = a.pledge_line_id)
                  AND a.status IN ('planned', 'confirmed', 'active')
                """,
                {"venue": self.venue.pk},
            )
            assert cur.fetchone()[0] == 0, "a line over its accepted officers"
            cur.execute(
                """
                SELECT count(*) FROM deployments_assignment a JOIN deployments_assignment b
                  ON a.k9_team_id = b.k9_team_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                WHERE a.venue_id = %(venue)s AND a.status <> 'cancelled' AND b.status <> 'cancelled'
                """,
                {"venue": self.venue.pk},
            )
            assert cur.fetchone()[0] == 0, "a K9 team in two places at once"


@pytest.mark.django_db
def test_random_moves_by_random_actors_keep_every_lifecycle_and_rule_of_the_spec():
    Lifecycles.users = {
        "coordinator": CoordinatorFactory(),
        "viewer": ViewerFactory(),
        "liaison_pl": LiaisonFactory(country="PL"),
        "liaison_de": LiaisonFactory(country="DE"),
        "anonymous": AnonymousUser(),
    }

    run_state_machine_as_test(
        Lifecycles,
        settings=settings(
            max_examples=15, stateful_step_count=50, deadline=None, derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )  # fmt: skip
    # The runs went deep enough to mean something: decisions and deployments happened.
    assert {("Pledge", "accepted"), ("Assignment", "planned")} <= set(REACHED)

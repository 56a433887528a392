"""Each model's MOVES table (core.lifecycle) is what its transitions enforce: every move of the table
goes ahead from each state the table lists and is refused (InvalidTransition) from every other one;
and the table holds SPEC §4's from-states, as the lifecycle tests of each app write them."""

import pytest

from core.errors import InvalidTransition
from deployments.models import Assignment
from pledges.models import Pledge
from pledges.transitions import create_pledge
from reinforcements.models import ReinforcementRequest
from reinforcements.transitions import amend_request
from tests.deployments import test_assignment_moves as assignments
from tests.factories import AssignmentFactory
from tests.pledges import test_pledge_moves as pledges
from tests.reinforcements import test_request_moves as requests

pytestmark = pytest.mark.django_db

# model -> (its SPEC §4 table as the app's lifecycle tests write it: move -> (who, {from: to}),
#           make(status), move -> (who, call(pk, actor)))
LIFECYCLES = {
    ReinforcementRequest: (
        requests.MOVES,
        requests.a_request,
        {
            **{move: (who, requests.CALLS[move]) for move, (who, _to) in requests.MOVES.items()},
            "amend": ("coordinator", lambda pk, actor: amend_request(pk, actor=actor, message="Bring radios.")),
            "pledge": ("liaison", lambda pk, actor: create_pledge(
                actor=actor, request_id=pk, commander_name="Insp. Nowak", commander_contact="+48 22 000 00 00",
            )),
        },
    ),
    Pledge: (
        pledges.MOVES,
        pledges.a_pledge,
        {
            move: (who, lambda pk, actor, move=move: pledges.call(move, Pledge.objects.get(pk=pk), actor))
            for move, (who, _to) in pledges.MOVES.items()
        },
    ),
    Assignment: (
        assignments.MOVES,
        lambda status: AssignmentFactory(status=status),
        {move: (who, assignments.CALLS[move]) for move, (who, _to) in assignments.MOVES.items()},
    ),
}  # fmt: skip


def cases(allowed: bool):
    return [
        pytest.param(model, move, status, id=f"{model.__name__}-{move}-{status}")
        for model in LIFECYCLES
        for move, froms in model.MOVES.items()
        for status in model.Status.values
        if (status in froms) == allowed
    ]


def attempt(model, move, status, coordinator, liaison_pl):
    obj = LIFECYCLES[model][1](status)
    who, call = LIFECYCLES[model][2][move]
    call(obj.pk, coordinator if who == "coordinator" else liaison_pl)
    return obj


@pytest.mark.parametrize(("model", "move", "status"), cases(allowed=True))
def test_a_move_goes_ahead_from_a_state_its_table_lists(model, move, status, coordinator, liaison_pl):
    obj = attempt(model, move, status, coordinator, liaison_pl)

    assert obj.can(move)


@pytest.mark.parametrize(("model", "move", "status"), cases(allowed=False))
def test_a_move_is_refused_from_a_state_its_table_leaves_out(model, move, status, coordinator, liaison_pl):
    with pytest.raises(InvalidTransition) as refused:
        attempt(model, move, status, coordinator, liaison_pl)

    assert refused.value.code == "invalid_transition"
    assert model.objects.get().status == status


@pytest.mark.parametrize("model", LIFECYCLES, ids=lambda model: model.__name__)
def test_the_table_holds_the_spec_from_states(model):
    spec = {move: set(moves) for move, (_who, moves) in LIFECYCLES[model][0].items()}

    assert {move: set(model.MOVES[move]) for move in spec} == spec


def test_a_move_missing_from_the_table_is_a_mistake_not_a_no():
    with pytest.raises(LookupError):
        Pledge(status="draft").can("approve")

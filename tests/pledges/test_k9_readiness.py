"""SPEC §3 K9 border readiness: what a team still lacks and the first day it may cross."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.factories import K9TeamFactory, OperationFactory, PledgeFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The labels are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def test_a_team_with_every_paper_is_ready_21_days_after_its_rabies_vaccination():
    team = K9TeamFactory(rabies_vaccinated_on=dt.date(2024, 7, 5))

    assert team.readiness == []
    assert team.ready_from == dt.date(2024, 7, 26)


def test_a_team_missing_papers_lists_them_and_has_no_ready_date():
    team = K9TeamFactory(microchip="", rabies_vaccinated_on=None)

    assert team.readiness == ["Microchip", "Rabies vaccination"]
    assert team.ready_from is None


def test_the_echinococcus_treatment_is_missing_only_where_the_operation_asks_for_it():
    strict = OperationFactory(code="strict-op", requires_echinococcus=True)
    team = K9TeamFactory(pledge=PledgeFactory(request=RequestFactory(operation=strict)))
    relaxed = K9TeamFactory()

    assert team.readiness == ["Echinococcus treatment"]
    assert relaxed.readiness == []


def test_the_labels_of_what_is_missing_follow_the_language():
    team = K9TeamFactory(pet_passport="")

    with translation.override("fr"):
        missing = team.readiness

    assert missing == ["Passeport pour animal ou certificat sanitaire"]


def test_a_draft_team_may_be_saved_without_readiness_data():
    team = K9TeamFactory.build(pledge=PledgeFactory(), microchip="", pet_passport="", rabies_vaccinated_on=None)

    team.full_clean(exclude=["pledge"])


@pytest.mark.parametrize("microchip", ["61609390000000", "6160939000000001", "61609390000000A"])
def test_a_microchip_that_is_not_15_digits_is_refused_on_its_field(microchip):
    team = K9TeamFactory.build(pledge=PledgeFactory(), microchip=microchip)

    with pytest.raises(ValidationError) as err:
        team.full_clean(exclude=["pledge"])

    assert list(err.value.message_dict) == ["microchip"]


def test_a_rabies_vaccination_in_the_future_is_refused_on_its_field():
    team = K9TeamFactory.build(pledge=PledgeFactory(), rabies_vaccinated_on=timezone.localdate() + dt.timedelta(days=1))

    with pytest.raises(ValidationError) as err:
        team.full_clean(exclude=["pledge"])

    assert list(err.value.message_dict) == ["rabies_vaccinated_on"]

import pytest

from reinforcements.models import Specialty

pytestmark = pytest.mark.django_db


def test_search_and_rescue_dogs_can_be_requested_as_a_canine_specialty():
    specialty = Specialty.objects.get(code="k9_search_rescue")

    assert specialty.is_canine
    assert specialty.name_fr == "Équipe cynophile de recherche et sauvetage"


def test_every_detection_kind_of_a_k9_team_has_its_canine_specialty():
    from pledges.models import K9Team

    canine = set(Specialty.objects.filter(is_canine=True).values_list("code", flat=True))

    assert {f"k9_{value}" for value in K9Team.Detection.values} <= canine

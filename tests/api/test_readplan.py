"""A read plan (core/api/readplan.py) writes exactly what DRF's own serializer loop writes."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import prefetch_related_objects
from rest_framework import serializers

from core.api.readplan import ReadPlanMixin
from pledges.api import PledgeSerializer
from pledges.models import Pledge
from pledges.queries import children
from tests.api.conftest import client_as
from tests.factories import K9TeamFactory, PledgeFactory, PledgeLineFactory, at, specialty

pytestmark = pytest.mark.django_db


def drf(serializer_class, instance):
    """What DRF writes for `instance`, fields built for this call, through its own loop."""
    return serializers.ModelSerializer.to_representation(serializer_class(), instance)


def a_decided_pledge(country="PL"):
    pledge = PledgeFactory(
        request__country=country, status="partially_accepted", decision_note="Merci.", submitted_at=at(2),
        decided_at=at(3),
    )  # fmt: skip
    PledgeLineFactory(pledge=pledge, officers_offered=12, officers_accepted=5, languages=["pl", "de"])
    PledgeLineFactory(pledge=pledge, specialty=specialty("river"), languages=[])
    K9TeamFactory(pledge=pledge, accepted=True)
    K9TeamFactory(pledge=pledge, detection="narcotics")
    return pledge


@pytest.mark.parametrize("loaded", ["nothing", "prefetched", "as lists"])
def test_a_pledge_is_written_as_drf_writes_it_however_its_lines_were_loaded(loaded):
    pledge = Pledge.objects.get(pk=a_decided_pledge().pk)
    if loaded != "nothing":
        prefetch_related_objects([pledge], *children(as_lists=loaded == "as lists"))

    data = PledgeSerializer(pledge).data

    assert data == drf(PledgeSerializer, Pledge.objects.get(pk=pledge.pk))
    assert [line["officers_accepted"] for line in data["lines"]] == [5, 0]


def test_the_pledge_list_is_written_as_drf_writes_each_pledge(coordinator):
    pledges = [a_decided_pledge("PL"), PledgeFactory(request__country="DE"), a_decided_pledge("IT")]

    response = client_as(coordinator).get("/api/v1/pledges/")

    by_id = {row["id"]: row for row in response.json()["results"]}
    assert [by_id[pledge.pk] for pledge in pledges] == [drf(PledgeSerializer, pledge) for pledge in pledges]


class _Probe(ReadPlanMixin, serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by.username", required=False)
    first_line = serializers.CharField(source="lines.first.specialty.code", read_only=True)

    class Meta:
        model = Pledge
        fields = ["id", "decided_by", "submitted_by", "first_line"]


def test_a_null_key_on_the_way_answers_as_drf_does_none_or_the_field_left_out():
    pledge = PledgeFactory(decided_by=None, submitted_by=None)
    PledgeLineFactory(pledge=pledge, specialty=specialty("mounted"))

    data = _Probe(pledge).data

    assert data == drf(_Probe, pledge) == {"id": pledge.pk, "decided_by": None, "first_line": "mounted"}


def test_a_field_that_needs_the_request_gets_no_read_plan():
    class WithMethod(ReadPlanMixin, serializers.ModelSerializer):
        label = serializers.SerializerMethodField()

        class Meta:
            model = Pledge
            fields = ["id", "label"]

        def get_label(self, obj):
            return self.context["request"].user.username

    pledge = PledgeFactory()

    with pytest.raises(ImproperlyConfigured):
        WithMethod().to_representation(pledge)

"""Coverage and conflicts over REST (SPEC §7, §10): what the plan covers, and what in it breaks a rule now."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import freshness
from core.api.schema import ApiSchema
from core.countries import country_code
from core.roles import is_staff_reader, liaison_country
from deployments.conflicts import RULES as CONFLICT_RULES
from deployments.conflicts import conflicts
from deployments.queries import (
    coverage,
)
from reinforcements.queries import visible_operations


class CoverageCountsSerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    pledged = serializers.IntegerField()
    accepted = serializers.IntegerField()
    assigned = serializers.IntegerField()


class CountryCoverageSerializer(CoverageCountsSerializer):
    country = serializers.CharField()


class SpecialtyCoverageSerializer(CoverageCountsSerializer):
    specialty = serializers.CharField()


class NeedCoverageSerializer(serializers.Serializer):
    venue = serializers.CharField()
    specialty = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    needed = serializers.IntegerField()
    assigned = serializers.IntegerField(
        help_text="What is left for the need at the worst instant of its window once the other needs of its venue "
        "and specialty at that instant are served (overlapping needs add up); alone, the fewest on duty."
    )
    languages = serializers.ListField(
        child=serializers.CharField(), help_text="What the need asks those who cover it to speak (one of them)."
    )
    assigned_speaking = serializers.IntegerField(
        allow_null=True,
        help_text="For a need with languages: the fewest on duty at any instant of its window who speak one of "
        "them (officers of lines at its venue and of its specialty; K9 teams record no language). Null when the "
        "need asks for no language.",
    )


class CoverageSerializer(serializers.Serializer):
    operation = serializers.CharField()
    by_country = CountryCoverageSerializer(many=True)
    by_specialty = SpecialtyCoverageSerializer(many=True)
    by_venue = NeedCoverageSerializer(many=True)


class CoverageQuerySerializer(serializers.Serializer):
    operation = serializers.SlugField(max_length=50)


class CoverageViewSet(viewsets.ViewSet):
    """`GET /api/v1/coverage/?operation=CODE`: requested / pledged / accepted / assigned by country and
    by specialty, and need vs assigned by venue.

    A liaison gets the coverage of an operation their country takes part in (else 404), counting
    their own country's requests, pledges and assignments only: one `by_country` row, and needs
    with their contingent's share. Ministry staff see every country."""

    schema = ApiSchema()
    answers_one_object = True

    @extend_schema(
        parameters=[OpenApiParameter("operation", str, required=True, description="operation code")],
        responses={200: CoverageSerializer},
    )
    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        operation = get_object_or_404(visible_operations(request.user), code=query.validated_data["operation"])
        # Serialising a whole Games' needs costs as much as computing them: cache the answer, per
        # scope (ministry staff, or one country), until the data changes (core/freshness.py).
        scope = None if is_staff_reader(request.user) else liaison_country(request.user)
        data = freshness.cached(
            "coverage", operation.pk, scope, compute=lambda: CoverageSerializer(coverage(operation, request.user)).data
        )
        return Response(data)


class ConflictSideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    country = serializers.CharField()
    venue = serializers.CharField(help_text="The venue's code.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    who = serializers.CharField(help_text="The K9 team (handler & dog) or the officers (quantity × specialty).")
    k9_team = serializers.IntegerField(allow_null=True)
    pledge_line = serializers.IntegerField(allow_null=True)


class RuleConflictSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=CONFLICT_RULES, help_text="The rule's code.")
    detail = serializers.CharField(help_text="In the caller's language, naming the other assignment involved.")
    assignment = ConflictSideSerializer()
    other = ConflictSideSerializer(allow_null=True, help_text="The other assignment involved, if any.")


class ConflictListSerializer(serializers.Serializer):
    operation = serializers.CharField()
    count = serializers.IntegerField()
    conflicts = RuleConflictSerializer(many=True)


class ConflictQuerySerializer(serializers.Serializer):
    operation = serializers.SlugField(max_length=50)
    rule = serializers.CharField(required=False, help_text="One of the rule codes listed (conflicts.RULES).")
    country = serializers.CharField(max_length=2, required=False, help_text="ISO 3166-1 alpha-2")

    def validate_rule(self, value):
        if value not in CONFLICT_RULES:
            raise serializers.ValidationError(
                _("Unknown rule code. Known: %(codes)s.") % {"codes": ", ".join(CONFLICT_RULES)}, code="invalid_choice"
            )
        return value

    def validate_country(self, value):
        value = value.upper()
        try:
            country_code(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class ConflictViewSet(viewsets.ViewSet):
    """`GET /api/v1/conflicts/?operation=CODE[&rule=CODE][&country=XX]`: every live assignment that breaks
    a rule now (SPEC §10) — the rules were tightened, a certification, a team's papers or a need changed,
    or the rule is in `warn` mode — with the rule, a message and the other assignment involved (duty, rest
    and travel; none for the others). Rules: duty_exceeded, rest_too_short, travel_too_short,
    certification_expired, k9_not_ready, language_mismatch, legal_status_mismatch. Ministry staff only: a
    liaison gets 404."""

    schema = ApiSchema()
    answers_one_object = True

    @extend_schema(
        parameters=[
            OpenApiParameter("operation", str, required=True, description="operation code"),
            OpenApiParameter("rule", str, enum=CONFLICT_RULES, description="only this rule"),
            OpenApiParameter("country", str, description="only this country (ISO 3166-1 alpha-2)"),
        ],
        responses={
            200: ConflictListSerializer,
            404: OpenApiResponse(description="Not ministry staff, or no such operation."),
        },
    )
    def list(self, request):
        if not is_staff_reader(request.user):
            raise NotFound
        query = ConflictQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        operation = get_object_or_404(visible_operations(request.user), code=query.validated_data["operation"])
        found = conflicts(operation, rule=query.validated_data.get("rule"), country=query.validated_data.get("country"))
        rows = [{"rule": c.rule, "detail": c.detail, "assignment": c.assignment, "other": c.other} for c in found]
        return Response(
            ConflictListSerializer({"operation": operation.code, "count": len(rows), "conflicts": rows}).data
        )

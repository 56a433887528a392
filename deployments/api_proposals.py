"""Proposals over REST (SPEC §10): ask for one (202, then poll), read it, apply all or a selection."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from core.api.schema import ApiSchema
from core.api.serializers import ScopedPrimaryKeyField
from core.roles import is_coordinator, is_staff_reader
from deployments import proposals
from deployments.api import AssignmentSerializer
from deployments.api_reports import NeedCoverageSerializer
from deployments.models import Proposal, Venue
from deployments.queries import visible_proposals, visible_venues
from reinforcements.models import Operation, Specialty
from reinforcements.queries import visible_operations


def extend_schema_field_list(serializer_class):
    return extend_schema_field(serializer_class(many=True))


class ProposedAssignmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["line", "team"])
    source = serializers.IntegerField(help_text="The pledge line's or K9 team's id.")
    need = serializers.IntegerField(help_text="The need it covers.")
    venue = serializers.CharField()
    country = serializers.CharField()
    specialty = serializers.CharField()
    label = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    quantity = serializers.IntegerField(allow_null=True)
    officer_hours = serializers.FloatField()
    language_match = serializers.BooleanField()
    same_venue = serializers.BooleanField(help_text="The source was at this venue the day before.")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class UncoveredSerializer(serializers.Serializer):
    need = serializers.IntegerField()
    venue = serializers.CharField()
    specialty = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    missing = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)


class ProposalSerializer(serializers.ModelSerializer):
    operation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    venue = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    specialty = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    assignments = serializers.SerializerMethodField()
    coverage_before = serializers.SerializerMethodField()
    coverage_after = serializers.SerializerMethodField()
    uncovered = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "url", "operation", "venue", "specialty", "from_date", "to_date", "status", "progress",
            "created_by", "created_at", "expires_at", "error", "assignments", "coverage_before", "coverage_after",
            "uncovered", "stats", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return f"/api/v1/proposals/{obj.pk}/"

    @extend_schema_field_list(ProposedAssignmentSerializer)
    def get_assignments(self, obj):
        return obj.result.get("assignments", [])

    @extend_schema_field_list(NeedCoverageSerializer)
    def get_coverage_before(self, obj):
        return obj.result.get("coverage_before", [])

    @extend_schema_field_list(NeedCoverageSerializer)
    def get_coverage_after(self, obj):
        return obj.result.get("coverage_after", [])

    @extend_schema_field_list(UncoveredSerializer)
    def get_uncovered(self, obj):
        return obj.result.get("uncovered", [])

    def get_stats(self, obj) -> dict:
        return obj.result.get("stats", {})


class ProposalRequestSerializer(serializers.Serializer):
    operation = serializers.SlugRelatedField(slug_field="code", queryset=Operation.objects.all())
    venue = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues, required=False, allow_null=True)
    specialty = serializers.SlugRelatedField(
        slug_field="code", queryset=Specialty.objects.all(), required=False, allow_null=True
    )
    from_date = serializers.DateField(required=False, allow_null=True)
    to_date = serializers.DateField(required=False, allow_null=True)

    def validate_operation(self, operation):
        if not visible_operations(self.context["request"].user).filter(pk=operation.pk).exists():
            raise serializers.ValidationError(_("Unknown operation."))
        return operation

    def validate(self, data):
        operation, errors = data["operation"], {}
        venue = data.get("venue")
        if venue is not None and venue.operation_id != operation.pk:
            errors["venue"] = _("This venue belongs to another operation.")
        for field in ("from_date", "to_date"):
            day = data.get(field)
            if day is not None and not operation.starts_on <= day <= operation.ends_on:
                errors[field] = _("The operation runs from %(s)s to %(e)s.") % {
                    "s": operation.starts_on, "e": operation.ends_on,
                }  # fmt: skip
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            errors["to_date"] = _("The last day comes before the first.")
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ApplySerializer(serializers.Serializer):
    assignments = serializers.ListField(
        child=serializers.IntegerField(min_value=0), required=False, allow_empty=False,
        help_text="Indexes in the proposal's `assignments` to apply; all of them if left out.",
    )  # fmt: skip


class AppliedSerializer(serializers.Serializer):
    proposal = ProposalSerializer()
    assignments = AssignmentSerializer(many=True)


def _require_coordinator(user):
    if not is_staff_reader(user):
        raise NotFound()
    if not is_coordinator(user):
        raise PermissionDenied(_("Only coordinators make and apply proposals."))


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposals that fill the gaps of a scope from accepted capacity not yet used (SPEC §10). Coordinators
    ask for and apply them; other staff read them; liaisons find none."""

    serializer_class = ProposalSerializer
    schema = ApiSchema()

    def get_queryset(self):
        return visible_proposals(self.request.user).select_related("operation", "specialty").order_by("-id")

    @extend_schema(
        request=ProposalRequestSerializer,
        responses={202: ProposalSerializer},
        examples=[
            OpenApiExample(
                "A venue-day",
                value={"operation": "paris-2024", "venue": 3, "from_date": "2024-07-27", "to_date": "2024-07-27"},
                request_only=True,
            )
        ],
    )
    def create(self, request):
        _require_coordinator(request.user)
        query = ProposalRequestSerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        proposal = proposals.request_proposal(actor=request.user, **query.validated_data)
        data = ProposalSerializer(proposal).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(
        request=ApplySerializer,
        responses={
            200: AppliedSerializer,
            409: OpenApiResponse(description="`stale_proposal`: what it relied on changed; nothing placed. "
                                 "`proposal_expired`: over a day old. `invalid_transition`: not ready."),
        },
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        proposal = self.get_object()
        _require_coordinator(request.user)
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placed = proposals.apply_proposal(
            proposal.pk, actor=request.user, indexes=body.validated_data.get("assignments")
        )
        proposal.refresh_from_db()
        return Response({"proposal": ProposalSerializer(proposal).data,
                         "assignments": AssignmentSerializer(placed, many=True).data})  # fmt: skip

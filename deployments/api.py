"""Venues, venue pairs, needs and assignments over REST (SPEC §7, §10); coverage and conflicts are in api_reports."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.moves import REASON_EXAMPLE, ReasonSerializer, move, parse
from core.api.permissions import RoleWrites
from core.api.schema import ApiSchema
from core.api.serializers import HistoryDestroyMixin, HistoryModelSerializer, ScopedPrimaryKeyField, ScopedSlugField
from core.countries import language_code
from core.text import multiline, single_line
from deployments import bulk, transitions
from deployments.filters import AssignmentFilter, VenueFilter, VenueNeedFilter, VenuePairFilter
from deployments.models import Assignment, Venue, VenueNeed, VenuePair
from deployments.queries import (
    visible_assignments,
    visible_needs,
    visible_venue_pairs,
    visible_venues,
)
from pledges.models import K9Team, LegalStatus, PledgeLine
from pledges.queries import visible_k9_teams, visible_pledge_lines
from reinforcements.models import Operation, Specialty
from reinforcements.queries import visible_operations


class VenueSerializer(HistoryModelSerializer):
    operation = ScopedSlugField(slug_field="code", queryset=Operation.objects.all(), scope=visible_operations)

    class Meta:
        model = Venue
        fields = ["id", "operation", "code", "name", "kind", "address", "latitude", "longitude", "updated_at"]
        validators = []  # (operation, code) is unique: the model's full_clean says so, translated


class VenueViewSet(HistoryDestroyMixin, viewsets.ModelViewSet):
    """Venues of the operations the caller takes part in; coordinators manage them."""

    serializer_class = VenueSerializer
    filterset_class = VenueFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["code", "name", "kind"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_venues(self.request.user).select_related("operation")


class VenuePairSerializer(HistoryModelSerializer):
    venue_a = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues)
    venue_b = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues)
    operation = serializers.CharField(source="venue_a.operation.code", read_only=True)

    class Meta:
        model = VenuePair
        fields = ["id", "operation", "venue_a", "venue_b", "minutes", "updated_at"]
        validators = []  # one travel time per unordered pair: the model's constraint says so, translated


class VenuePairViewSet(HistoryDestroyMixin, viewsets.ModelViewSet):
    """Travel minutes between two venues, overriding the straight-line estimate of the `travel_too_short`
    rule (SPEC §10). Ministry planning data: coordinators manage them, viewers read them; a liaison
    finds none."""

    serializer_class = VenuePairSerializer
    filterset_class = VenuePairFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["minutes"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_venue_pairs(self.request.user).select_related("venue_a__operation")


class VenueNeedSerializer(HistoryModelSerializer):
    venue = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues)
    venue_code = serializers.CharField(source="venue.code", read_only=True)
    operation = serializers.CharField(source="venue.operation.code", read_only=True)
    specialty = serializers.SlugRelatedField(slug_field="code", queryset=Specialty.objects.all())
    languages = serializers.ListField(
        child=serializers.CharField(max_length=2, validators=[language_code]), required=False, max_length=20,
        help_text="ISO 639-1 codes; at least one must be spoken by those who cover the need "
        "(else 409 language_mismatch). Empty: any.",
    )  # fmt: skip
    legal_status = serializers.ChoiceField(
        choices=LegalStatus.choices, allow_null=True, required=False,
        help_text="Only contingents of this legal status may cover the need (else 409 legal_status_mismatch).",
    )  # fmt: skip
    armed = serializers.BooleanField(
        allow_null=True, required=False,
        help_text="true: armed only; false: unarmed only; null: either (else 409 legal_status_mismatch).",
    )  # fmt: skip

    class Meta:
        model = VenueNeed
        fields = ["id", "venue", "venue_code", "operation", "specialty", "starts_at", "ends_at", "quantity",
                  "languages", "legal_status", "armed", "updated_at"]  # fmt: skip


class VenueNeedViewSet(HistoryDestroyMixin, viewsets.ModelViewSet):
    """What a venue needs, by specialty and time window; coordinators manage them."""

    serializer_class = VenueNeedSerializer
    filterset_class = VenueNeedFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["starts_at", "ends_at", "quantity"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_needs(self.request.user).select_related("venue__operation", "specialty")


class BreachSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The rule's code, e.g. rest_too_short.")
    detail = serializers.CharField(help_text="In the caller's language, naming the other assignment involved.")
    other = serializers.IntegerField(allow_null=True, help_text="The other assignment involved, if any.")


class AssignmentSerializer(serializers.ModelSerializer):
    venue = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues)
    pledge_line = ScopedPrimaryKeyField(
        queryset=PledgeLine.objects.all(), scope=visible_pledge_lines, required=False, allow_null=True
    )
    k9_team = ScopedPrimaryKeyField(
        queryset=K9Team.objects.all(), scope=visible_k9_teams, required=False, allow_null=True
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    country = serializers.CharField(source="pledge.request.country", read_only=True)
    venue_code = serializers.CharField(source="venue.code", read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text="On a create or a move: the rules in `warn` mode that this placement breaks (it was placed, "
        "and shows as a conflict). Empty otherwise."
    )

    class Meta:
        model = Assignment
        fields = [
            "id", "venue", "venue_code", "starts_at", "ends_at", "role", "pledge", "country", "pledge_line",
            "quantity", "k9_team", "status", "status_reason", "created_at", "warnings",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["pledge", "status", "status_reason", "created_at"]

    @extend_schema_field(BreachSerializer(many=True))
    def get_warnings(self, obj) -> list:
        return [{"code": b.code, "detail": b.message, "other": b.other_id} for b in getattr(obj, "warnings", [])]

    def validate(self, attrs):
        if self.instance is None:
            if bool(attrs.get("pledge_line")) == bool(attrs.get("k9_team")):
                raise serializers.ValidationError(
                    {
                        "non_field_errors": [
                            _("Assign either officers of a pledge line (with a quantity) or one K9 team.")
                        ]
                    }
                )
            if attrs.get("pledge_line") and not attrs.get("quantity"):
                raise serializers.ValidationError({"quantity": [_("Assign at least one officer.")]})
        else:
            for name in ("pledge_line", "k9_team"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: _("Cancel this assignment and create another instead.")})
        return attrs

    def create(self, validated_data):
        return transitions.create_assignment(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return transitions.move_assignment(
            instance.pk, actor=self.context["request"].user,
            **{k: v for k, v in validated_data.items() if k in ("venue", "starts_at", "ends_at", "quantity", "role")},
        )  # fmt: skip


ASSIGNMENT_EXAMPLES = [
    OpenApiExample(
        "officers",
        request_only=True,
        value={
            "venue": 3,
            "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T20:00:00+02:00",
            "role": "Quai de Grenelle perimeter",
            "pledge_line": 31,
            "quantity": 12,
        },
    ),
    OpenApiExample(
        "K9 team",
        request_only=True,
        value={
            "venue": 3,
            "starts_at": "2024-07-26T08:00:00+02:00",
            "ends_at": "2024-07-26T14:00:00+02:00",
            "role": "Boat sweeps",
            "k9_team": 7,
        },
    ),
]


class BulkPlacementSerializer(serializers.Serializer):
    """One source, one venue, the same daily window on each day of a range (SPEC §10)."""

    pledge_line = ScopedPrimaryKeyField(
        queryset=PledgeLine.objects.all(), scope=visible_pledge_lines, required=False, allow_null=True
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    k9_team = ScopedPrimaryKeyField(
        queryset=K9Team.objects.all(), scope=visible_k9_teams, required=False, allow_null=True
    )
    venue = ScopedPrimaryKeyField(queryset=Venue.objects.all(), scope=visible_venues)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", validators=[single_line])
    from_time = serializers.TimeField(help_text="start of the daily window, local time of the operation")
    to_time = serializers.TimeField(help_text="end of the daily window; at or before `from_time`: the next day")
    from_date = serializers.DateField()
    to_date = serializers.DateField(help_text=f"inclusive; at most {bulk.MAX_DAYS} days after `from_date`")
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False, max_length=7,
        help_text="ISO weekdays, 1 = Monday … 7 = Sunday; every day when absent",
    )  # fmt: skip
    mode = serializers.ChoiceField(
        choices=bulk.MODES, default=bulk.ALL,
        help_text="`all`: nothing placed if any day breaks a rule; `fit`: place the days that pass",
    )  # fmt: skip

    def validate(self, attrs):
        if bool(attrs.get("pledge_line")) == bool(attrs.get("k9_team")):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Assign either officers of a pledge line (with a quantity) or one K9 team.")]}
            )
        if attrs.get("pledge_line") and not attrs.get("quantity"):
            raise serializers.ValidationError({"quantity": [_("Assign at least one officer.")]})
        return attrs


class RefusedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    code = serializers.CharField(help_text="the rule the day breaks: capacity_exceeded, k9_overlap, …")
    detail = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)
    refused = RefusedDaySerializer(many=True, help_text="mode `fit`: the days left out, and why")


class BulkConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="the first refused day's rule (or invalid_transition)")
    refused = RefusedDaySerializer(many=True)


class BulkCancelSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=bulk.MAX_CANCEL,
        help_text=f"the assignments to cancel; at most {bulk.MAX_CANCEL}",
    )  # fmt: skip
    reason = serializers.CharField(max_length=2000, validators=[multiline])


class BulkCancelledSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)


NO_SHOW_EXAMPLE = OpenApiExample(
    "what happened", value={"reason": "The team missed the 07:10 train from Lille."}, request_only=True
)
BULK_EXAMPLES = [
    OpenApiExample(
        "ten days, 08:00-20:00",
        request_only=True,
        value={
            "pledge_line": 31,
            "quantity": 12,
            "venue": 3,
            "role": "Perimeter",
            "from_time": "08:00",
            "to_time": "20:00",
            "from_date": "2024-07-26",
            "to_date": "2024-08-04",
            "mode": "fit",
        },
    ),
    OpenApiExample(
        "night shifts at weekends",
        request_only=True,
        value={
            "k9_team": 7,
            "venue": 3,
            "role": "Night sweeps",
            "from_time": "22:00",
            "to_time": "06:00",
            "from_date": "2024-07-26",
            "to_date": "2024-08-11",
            "weekdays": [5, 6, 7],
        },
    ),
]


@extend_schema_view(
    create=extend_schema(
        examples=ASSIGNMENT_EXAMPLES,
        description="Place accepted capacity, by a coordinator: `pledge_line` + `quantity`, or `k9_team`. "
        "Rules refused with 409: capacity_exceeded, k9_overlap, outside_availability, outside_operation, "
        "certification_expired, k9_not_ready, not_accepted, venue_operation_mismatch, and the operation's own "
        "(SPEC §10): duty_exceeded, rest_too_short, travel_too_short, and for a need it covers (same venue and "
        "specialty, overlapping) language_mismatch, legal_status_mismatch. A rule the operation sets to `warn` "
        "places the assignment and lists the breach in `warnings`.",
    ),
    partial_update=extend_schema(
        description="Move a planned or confirmed assignment (venue, times, quantity, role), by a coordinator; "
        "a confirmed one goes back to planned. Every placement rule is checked again (409, or `warnings`)."
    ),
)
class AssignmentViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, mixins.UpdateModelMixin):  # fmt: skip
    """Who is where, when. A liaison sees their contingent's assignments, confirms them and, on the day, checks
    them in, completes them or records a no-show (deployments.transitions says who may make which move)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["starts_at", "ends_at", "status", "created_at"]
    country_field = "pledge__request__country"  # ordering=country_name (core/api/ordering.py)
    schema = ApiSchema()

    def get_queryset(self):
        return visible_assignments(self.request.user).select_related("venue", "pledge__request")

    def _answer(self, assignment):
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(
        request=BulkPlacementSerializer,
        responses={201: BulkResultSerializer, 409: BulkConflictSerializer},
        examples=BULK_EXAMPLES,
        description="Place one source (`pledge_line` + `quantity`, or `k9_team`) at a venue for the same daily "
        "window on each day from `from_date` to `to_date`, optionally on some `weekdays` only; coordinators only. "
        "Each day is checked as a single placement. Mode `all` (default) places nothing if any day breaks a rule "
        "(409 naming the days and rules); `fit` places the days that pass and lists the others in `refused`. "
        "The country's liaisons get one message for the whole placement.",
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        body = BulkPlacementSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            result = bulk.place_on_days(actor=request.user, **body.validated_data)
        except bulk.BulkRefused as refused:
            data = {"detail": str(refused.message), "code": refused.code,
                    "refused": [r.as_dict() for r in refused.refused]}  # fmt: skip
            return Response(BulkConflictSerializer(data).data, status=status.HTTP_409_CONFLICT)
        placed = self.get_queryset().filter(pk__in=[a.pk for a in result.placed]).order_by("starts_at", "pk")
        data = {"assignments": placed, "refused": [r.as_dict() for r in result.refused]}
        return Response(BulkResultSerializer(data, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        request=BulkCancelSerializer,
        responses={200: BulkCancelledSerializer},
        examples=[OpenApiExample("a selection", request_only=True,
                                 value={"ids": [101, 102, 103], "reason": "Match moved to another day."})],
        description="Cancel several assignments with one reason, coordinators only; all or nothing (409 "
        "invalid_transition if one may not be cancelled, 400 if one does not exist). Each country's liaisons "
        "get one message listing theirs.",
    )  # fmt: skip
    @action(detail=False, methods=["post"], url_path="bulk-cancel")
    def bulk_cancel(self, request):
        body = BulkCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = bulk.cancel_many(actor=request.user, **body.validated_data)
        shown = self.get_queryset().filter(pk__in=[a.pk for a in cancelled]).order_by("starts_at", "pk")
        return Response(BulkCancelledSerializer({"assignments": shown}, context=self.get_serializer_context()).data)

    @move(response=AssignmentSerializer)
    def confirm(self, request, pk=None):
        """planned → confirmed, by a liaison of the contingent's country or a coordinator."""
        return self._answer(transitions.confirm_assignment(self.get_object().pk, actor=request.user))

    @move(response=AssignmentSerializer)
    def start(self, request, pk=None):
        """planned|confirmed → active (check-in), by a liaison of the contingent's country or a coordinator."""
        return self._answer(transitions.start_assignment(self.get_object().pk, actor=request.user))

    @move(response=AssignmentSerializer)
    def complete(self, request, pk=None):
        """active → completed, by a liaison of the contingent's country or a coordinator."""
        return self._answer(transitions.complete_assignment(self.get_object().pk, actor=request.user))

    @move(ReasonSerializer, response=AssignmentSerializer, examples=[NO_SHOW_EXAMPLE], url_path="no-show")
    def no_show(self, request, pk=None):
        """planned|confirmed → cancelled once the shift has started (before: 400), by a liaison of the
        contingent's country or a coordinator: nobody reported for duty. The reason becomes "No-show: nobody
        reported for duty." followed by `reason`, which a liaison must give (what happened) and a coordinator
        may."""
        pk = self.get_object().pk
        reason = parse(ReasonSerializer, request)["reason"]
        return self._answer(transitions.record_no_show(pk, actor=request.user, reason=reason))

    @move(ReasonSerializer, response=AssignmentSerializer, examples=[REASON_EXAMPLE])
    def cancel(self, request, pk=None):
        """planned|confirmed|active → cancelled, by a coordinator, with a reason."""
        pk = self.get_object().pk
        reason = parse(ReasonSerializer, request)["reason"]
        return self._answer(transitions.cancel_assignment(pk, actor=request.user, reason=reason))

"""Operations, specialties and reinforcement requests over REST (SPEC §7)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.api.moves import REASON_EXAMPLE, ReasonSerializer, move, parse
from core.api.permissions import RoleWrites
from core.api.schema import ApiSchema
from core.api.serializers import HistoryDestroyMixin, HistoryModelSerializer, ScopedSlugField
from core.roles import is_staff_reader
from reinforcements import transitions
from reinforcements.filters import OperationFilter, RequestFilter
from reinforcements.models import Operation, ReinforcementRequest, RequestLine, Specialty
from reinforcements.queries import visible_operations, visible_requests
from reinforcements.rules import MODE_CHOICES, MODE_RULES, VALUES, validate_rules


class RuleModesSerializer(serializers.Serializer):
    """Schema only: each §10 rule code and its mode."""

    locals().update({code: serializers.ChoiceField(MODE_CHOICES, required=False) for code in MODE_RULES})


class RulesSchemaSerializer(serializers.Serializer):
    """Schema only: the rules of an operation (SPEC §10), validated by reinforcements.rules."""

    locals().update(
        {
            name: (serializers.IntegerField if whole else serializers.FloatField)(
                min_value=low, max_value=high, required=False, help_text=f"{help_text} Default {default}."
            )
            for name, (default, low, high, whole, _label, help_text) in VALUES.items()
        }
    )
    modes = RuleModesSerializer(required=False, help_text="Per rule code: `refuse` (409, the default) or `warn`.")


@extend_schema_field(RulesSchemaSerializer)
class RulesField(serializers.JSONField):
    """The operation's rules: keys left out keep their current value (the defaults for a new operation);
    unknown keys and values out of bounds are refused, each named."""

    def to_internal_value(self, data):
        base = getattr(self.parent, "instance", None)
        try:
            return validate_rules(data, base=base.rules if base is not None else None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class OperationSerializer(HistoryModelSerializer):
    rules = RulesField(required=False)

    class Meta:
        model = Operation
        fields = ["id", "code", "name", "host_country", "starts_on", "ends_on", "timezone", "requires_echinococcus",
                  "rules", "updated_at"]  # fmt: skip


RULES_EXAMPLE = OpenApiExample(
    "tighten rest, warn on travel",
    request_only=True,
    value={"rules": {"min_rest_hours": 12, "modes": {"travel_too_short": "warn"}}},
)


@extend_schema_view(
    partial_update=extend_schema(
        examples=[RULES_EXAMPLE],
        description="Edit an operation, by a coordinator. `rules` (SPEC §10): keys left out keep their value.",
    )
)
class OperationViewSet(HistoryDestroyMixin, viewsets.ModelViewSet):
    """Operations the caller takes part in; coordinators create and edit them, rules included."""

    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    ordering_fields = ["code", "starts_on", "ends_on", "name"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_operations(self.request.user)


class SpecialtySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the language of the request.")

    class Meta:
        model = Specialty
        fields = ["code", "name", "name_en", "name_fr", "is_canine", "updated_at"]


class SpecialtyViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data (seeded): the same for everyone."""

    queryset = Specialty.objects.all()
    serializer_class = SpecialtySerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_fields = ["is_canine"]
    ordering_fields = ["code"]
    pagination_class = None
    schema = ApiSchema()


class RequestLineSerializer(serializers.ModelSerializer):
    specialty = serializers.SlugRelatedField(slug_field="code", queryset=Specialty.objects.all())

    class Meta:
        model = RequestLine
        fields = ["id", "specialty", "quantity", "updated_at"]


class RequestSerializer(serializers.ModelSerializer):
    operation = ScopedSlugField(slug_field="code", queryset=Operation.objects.all(), scope=visible_operations)
    lines = RequestLineSerializer(many=True, required=False)

    class Meta:
        model = ReinforcementRequest
        fields = [
            "id", "operation", "country", "authority", "status", "status_reason", "response_due",
            "period_start", "period_end", "message", "internal_notes", "lines", "created_at", "sent_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "status_reason", "created_at", "sent_at"]
        extra_kwargs = {"internal_notes": {"help_text": "Ministry-internal: absent from a liaison's responses."}}
        # One request per (operation, country, authority): create_request's full_clean says so.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated and not is_staff_reader(request.user):
            del fields["internal_notes"]  # ministry-internal (SPEC §2)
        return fields

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("operation", "country", "authority"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: _("This cannot change once the request exists.")})
        return attrs

    @staticmethod
    def _lines(validated):
        rows = validated.pop("lines", None)
        return None if rows is None else [(row["specialty"], row["quantity"]) for row in rows]

    def create(self, validated_data):
        lines = self._lines(validated_data) or []
        return transitions.create_request(actor=self.context["request"].user, lines=lines, **validated_data)

    def update(self, instance, validated_data):
        lines = self._lines(validated_data)
        return transitions.amend_request(instance.pk, actor=self.context["request"].user, lines=lines, **validated_data)


REQUEST_EXAMPLE = OpenApiExample(
    "request to Poland",
    request_only=True,
    value={
        "operation": "paris-2024", "country": "PL", "authority": "interior", "response_due": "2024-03-01",
        "period_start": "2024-07-10", "period_end": "2024-08-20", "message": "Please send officers.",
        "internal_notes": "Ask twice if needed.",
        "lines": [{"specialty": "public_order", "quantity": 40}, {"specialty": "community_patrol", "quantity": 10}],
    },
)  # fmt: skip


@extend_schema_view(
    create=extend_schema(examples=[REQUEST_EXAMPLE], description="A draft request; coordinators only."),
    update=extend_schema(description="Edit a draft, or amend a sent request (its liaisons are told)."),
    partial_update=extend_schema(description="Edit a draft, or amend a sent request (its liaisons are told)."),
)
class RequestViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin):  # fmt: skip
    """Requests for reinforcements, one per (operation, country, authority). A liaison sees their
    country's sent requests only; `internal_notes` is left out for them."""

    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["country", "status", "response_due", "created_at", "sent_at", "period_start"]
    country_field = "country"  # ordering=country_name (core/api/ordering.py)
    schema = ApiSchema()

    def get_queryset(self):
        return (
            visible_requests(self.request.user)
            .select_related("operation")
            .prefetch_related(Prefetch("lines", RequestLine.objects.select_related("specialty")))
        )

    def _answer(self, req):
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    @move(response=RequestSerializer)
    def send(self, request, pk=None):
        """draft → sent, by a coordinator; the country's liaisons are told."""
        return self._answer(transitions.send_request(self.get_object().pk, actor=request.user))

    @move(response=RequestSerializer)
    def acknowledge(self, request, pk=None):
        """sent → acknowledged, by a liaison of the country; coordinators are told."""
        return self._answer(transitions.acknowledge_request(self.get_object().pk, actor=request.user))

    @move(ReasonSerializer, response=RequestSerializer, examples=[REASON_EXAMPLE])
    def decline(self, request, pk=None):
        """sent|acknowledged → declined, by a liaison of the country, with a reason."""
        pk = self.get_object().pk
        reason = parse(ReasonSerializer, request)["reason"]
        return self._answer(transitions.decline_request(pk, actor=request.user, reason=reason))

    @move(ReasonSerializer, response=RequestSerializer, examples=[REASON_EXAMPLE])
    def cancel(self, request, pk=None):
        """draft|sent|acknowledged → cancelled, by a coordinator, with a reason."""
        pk = self.get_object().pk
        reason = parse(ReasonSerializer, request)["reason"]
        return self._answer(transitions.cancel_request(pk, actor=request.user, reason=reason))

    @move(response=RequestSerializer)
    def close(self, request, pk=None):
        """sent|acknowledged → closed, by a coordinator; the liaisons are told."""
        return self._answer(transitions.close_request(self.get_object().pk, actor=request.user))

"""What if over REST (SPEC §10): `POST /api/v1/what-if/` — which needs would fall below cover after some
changes, nothing changed. A question, not a change: ministry staff (coordinators and viewers) may ask."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api.schema import ApiSchema
from core.countries import is_country
from core.roles import is_coordinator, is_staff_reader
from deployments.api_proposals import ProposedAssignmentSerializer, UncoveredSerializer
from deployments.api_reports import NeedCoverageSerializer
from deployments.what_if import KINDS, TARGET, Change, InvalidChanges, what_if
from reinforcements.queries import visible_operations

# A need of up to this many officers or teams: more is a typing error, not a plan.
MAX_QUANTITY = 100_000


class WhatIfChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    country = serializers.CharField(max_length=2, required=False, help_text="withdraw_country: ISO 3166-1 alpha-2")
    pledge = serializers.IntegerField(min_value=1, required=False, help_text="withdraw_pledge: the pledge's id")
    pledge_line = serializers.IntegerField(min_value=1, required=False, help_text="withdraw_line: the line's id")
    k9_team = serializers.IntegerField(min_value=1, required=False, help_text="withdraw_team: the team's id")
    need = serializers.IntegerField(min_value=1, required=False, help_text="need: the need's id")
    quantity = serializers.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, required=False, help_text="need: its new quantity (0: not needed)"
    )

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword: declared here rather than as a class attribute.
        fields["from"] = serializers.DateTimeField(
            required=False, allow_null=True,
            help_text="A withdrawal's instant: only duty from then on is lost (an assignment straddling it is cut).",
        )  # fmt: skip
        return fields

    def validate_country(self, value):
        value = value.upper()
        if not is_country(value):
            raise serializers.ValidationError(_("Not an ISO 3166-1 alpha-2 country code."))
        return value

    def validate(self, attrs):
        kind, errors = attrs["kind"], {}
        target = TARGET[kind]
        if target not in attrs:
            errors[target] = _("Required for a change of kind %(kind)s.") % {"kind": kind}
        if kind == "need" and "quantity" not in attrs:
            errors["quantity"] = _("Required for a change of kind %(kind)s.") % {"kind": kind}
        allowed = {"kind", target, "quantity" if kind == "need" else "from"}
        for name in set(attrs) - allowed:
            errors[name] = _("Not used by a change of kind %(kind)s.") % {"kind": kind}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def to_change(data: dict) -> Change:
    """A validated change (WhatIfChangeSerializer) as the service takes it."""
    return Change(data["kind"], data[TARGET[data["kind"]]], data.get("from"), data.get("quantity"))


class WhatIfQuestionSerializer(serializers.Serializer):
    operation = serializers.SlugField(max_length=50)
    changes = serializers.ListField(child=WhatIfChangeSerializer(), min_length=1, max_length=100)
    repair = serializers.BooleanField(
        default=False,
        help_text="Also the proposal that would recover the needs that fall short (see `repair`); coordinators "
        "only (others get 403).",
    )


class WhatIfNeedSerializer(NeedCoverageSerializer):
    need = serializers.IntegerField(help_text="The need's id.")
    needed_now = serializers.IntegerField(help_text="The need's quantity now (`needed` is after the changes).")
    assigned_now = serializers.IntegerField(help_text="The need's cover now (SPEC §7 `assigned`).")
    assigned_after = serializers.IntegerField(help_text="Its cover after the changes (also in `assigned`).")
    short = serializers.BooleanField(help_text="Below cover after the changes: assigned_after < needed.")
    newly_short = serializers.BooleanField(help_text="Short after the changes, and covered now.")


class WhatIfSummarySerializer(serializers.Serializer):
    officer_hours_lost = serializers.FloatField(help_text="Duty the withdrawals take away (a K9 team counts one).")
    assignments_lost = serializers.IntegerField(help_text="Live assignments lost whole.")
    assignments_cut = serializers.IntegerField(help_text="Live assignments straddling a `from`, shortened.")
    needs_changed = serializers.IntegerField(help_text="Needs whose cover or quantity changes (the by_venue rows).")
    needs_newly_short = serializers.IntegerField()
    needs_short_now = serializers.IntegerField(help_text="Needs of the operation short now.")
    needs_short_after = serializers.IntegerField(help_text="Needs of the operation short after the changes.")


class RepairVenueSerializer(serializers.Serializer):
    venue = serializers.CharField()
    assignments = ProposedAssignmentSerializer(many=True)


class RepairCountrySerializer(serializers.Serializer):
    country = serializers.CharField()
    venues = RepairVenueSerializer(many=True)


class RepairScopeSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    to_date = serializers.DateField()
    venues = serializers.ListField(child=serializers.CharField(), help_text="Venues with a need that falls short.")
    specialties = serializers.ListField(child=serializers.CharField())


class RepairSerializer(serializers.Serializer):
    scope = RepairScopeSerializer(
        allow_null=True,
        help_text="The days (at most the first two a need short starts on) and the venues and specialties the "
        "proposal fills; null when nothing falls short.",
    )
    by_country = RepairCountrySerializer(
        many=True, help_text="The proposed assignments (as a proposal's), by country and venue."
    )
    coverage_after = NeedCoverageSerializer(
        many=True, help_text="The needs of the scope (SPEC §7 by_venue) after the changes and the repair."
    )
    uncovered = UncoveredSerializer(many=True, help_text="What the repair could not cover, and why.")
    needs_left_out = serializers.IntegerField(help_text="Needs short after the scope's days: not in this repair.")
    officer_hours = serializers.FloatField(help_text="Officer-hours the repair covers (a K9 team counts one).")
    gap_officer_hours = serializers.FloatField(help_text="Officer-hours short in the scope before the repair.")


class WhatIfSerializer(serializers.Serializer):
    operation = serializers.CharField()
    by_venue = WhatIfNeedSerializer(
        many=True, help_text="The needs whose cover the changes alter: those short after them first."
    )
    summary = WhatIfSummarySerializer()
    repair = RepairSerializer(
        allow_null=True,
        help_text="With `repair`: the proposal that would recover the needs that fall short, computed over the "
        "tables as the changes would leave them and never written (nothing to apply: ask for a proposal).",
    )


EXAMPLE = {"operation": "paris-2024", "changes": [{"kind": "withdraw_country", "country": "DE"}]}
REPAIR_EXAMPLE = {**EXAMPLE, "repair": True}


class WhatIfViewSet(viewsets.ViewSet):
    """`POST /api/v1/what-if/`: the needs that would fall below cover if a country, pledge, line or team
    withdrew (optionally `from` an instant) or a need changed — computed, never written. Coordinators and
    viewers; a liaison gets 404. With `"repair": true` (coordinators only, else 403) also the proposal that
    would recover the needs that fall short, by country and venue, never written. A bad change is a 400 naming its index and field: `{"changes": {"1":
    {"pledge": ["No pledge #9 in this operation."]}}}`."""

    schema = ApiSchema()

    @extend_schema(
        request=WhatIfQuestionSerializer,
        responses={
            200: WhatIfSerializer,
            403: OpenApiResponse(description="`repair` asked by staff who are not coordinators."),
            404: OpenApiResponse(description="Not ministry staff, or no such operation."),
        },
        examples=[
            OpenApiExample("Germany withdraws", value=EXAMPLE, request_only=True),
            OpenApiExample("Germany withdraws, and how to recover", value=REPAIR_EXAMPLE, request_only=True),
        ],
    )
    def create(self, request):
        if not is_staff_reader(request.user):
            raise NotFound
        query = WhatIfQuestionSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        operation = get_object_or_404(visible_operations(request.user), code=query.validated_data["operation"])
        changes = [to_change(data) for data in query.validated_data["changes"]]
        repair = query.validated_data["repair"]
        if repair and not is_coordinator(request.user):
            raise PermissionDenied(_("Only coordinators make proposals: ask without `repair`."))
        try:
            answer = what_if(operation, changes, repair=repair, actor=request.user)
        except InvalidChanges as exc:
            errors = {
                index: {field: [message] for field, message in fields.items()} for index, fields in exc.errors.items()
            }
            raise ValidationError({"changes": errors}) from exc
        return Response(WhatIfSerializer(answer).data, status=status.HTTP_200_OK)

"""Pledges with their officer lines and K9 teams over REST (SPEC §7)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.moves import REASON_EXAMPLE, NoteSerializer, ReasonSerializer, move, parse
from core.api.permissions import RoleWrites
from core.api.readplan import ReadPlanMixin
from core.api.schema import ApiSchema
from core.api.serializers import ScopedPrimaryKeyField
from core.countries import language_code
from core.text import multiline
from pledges import amendment_transitions, transitions
from pledges.filters import AmendmentFilter, K9TeamFilter, PledgeFilter
from pledges.models import Amendment, AmendmentChange, K9Team, Pledge, PledgeLine
from pledges.queries import (
    LINES_LIST,
    TEAMS_LIST,
    children,
    visible_amendments,
    visible_k9_teams,
    visible_pledges,
)
from reinforcements.models import ReinforcementRequest, Specialty
from reinforcements.queries import visible_requests


class PledgeLineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give it to update this line; leave it out to add one.")
    specialty = serializers.SlugRelatedField(slug_field="code", queryset=Specialty.objects.filter(is_canine=False))
    languages = serializers.ListField(
        child=serializers.CharField(max_length=2, validators=[language_code]), required=False, max_length=20,
        help_text="ISO 639-1 codes, e.g. [\"pl\", \"en\"].",
    )  # fmt: skip

    class Meta:
        model = PledgeLine
        fields = ["id", "specialty", "officers_offered", "officers_accepted", "available_from", "available_to",
                  "languages", "legal_status", "armed", "powers", "withdrawn_at", "withdraw_reason", "updated_at"]  # fmt: skip
        read_only_fields = ["officers_accepted", "withdrawn_at", "withdraw_reason"]


class K9TeamSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give it to update this team; leave it out to add one.")
    ready_from = serializers.DateField(
        read_only=True, allow_null=True,
        help_text="First day the dog may cross the border (rabies vaccination + 21 days); null while something "
        "is missing.",
    )  # fmt: skip
    readiness = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="What the border still asks for (in the caller's language); empty when ready.",
    )  # fmt: skip

    class Meta:
        model = K9Team
        fields = ["id", "handler_name", "dog_name", "dog_breed", "detection", "certification_expires_on",
                  "available_from", "available_to", "legal_status", "armed", "powers", "accepted", "withdrawn_at", "withdraw_reason",
                  "microchip", "pet_passport", "rabies_vaccinated_on", "echinococcus_treated_on", "ready_from", "readiness", "updated_at"]  # fmt: skip
        read_only_fields = ["accepted", "withdrawn_at", "withdraw_reason"]


class PledgeSerializer(ReadPlanMixin, serializers.ModelSerializer):
    request = ScopedPrimaryKeyField(queryset=ReinforcementRequest.objects.all(), scope=visible_requests)
    operation = serializers.CharField(source="request.operation.code", read_only=True)
    country = serializers.CharField(source="request.country", read_only=True)
    authority = serializers.CharField(source="request.authority", read_only=True)
    lines = PledgeLineSerializer(many=True, required=False)
    k9_teams = K9TeamSerializer(many=True, required=False)

    class Meta:
        model = Pledge
        fields = [
            "id", "request", "operation", "country", "authority", "status", "commander_name", "commander_contact",
            "notes", "decision_note", "changes_note", "withdraw_reason", "created_at", "submitted_at", "decided_at",
            "lines", "k9_teams",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "decision_note", "changes_note", "withdraw_reason", "created_at",
                            "submitted_at", "decided_at"]  # fmt: skip
        prefetched_lists = {"lines": LINES_LIST, "k9_teams": TEAMS_LIST}  # core.api.readplan

    def validate(self, attrs):
        # The models' own clean() and constraints per nested row, so errors come back by row
        # position (update_pledge checks them again, with the request's period, under its lock).
        errors, found = {}, False
        for key, model in (("lines", PledgeLine), ("k9_teams", K9Team)):
            rows = []
            for row in attrs.get(key) or []:
                try:
                    model(**{k: v for k, v in row.items() if k != "id"}).full_clean(exclude=["pledge"])
                except DjangoValidationError as exc:
                    rows.append(exc.message_dict)
                    found = True
                else:
                    rows.append({})
            errors[key] = rows
        if found:
            raise serializers.ValidationError({key: rows for key, rows in errors.items() if any(rows)})
        return attrs

    def validate_request(self, value):
        if self.instance is not None and value != self.instance.request:
            raise serializers.ValidationError(_("A pledge stays on the request it was made for."))
        return value

    def create(self, validated_data):
        request = validated_data.pop("request")
        return transitions.create_pledge(
            actor=self.context["request"].user, request_id=request.pk,
            lines=validated_data.pop("lines", []), k9_teams=validated_data.pop("k9_teams", []), **validated_data,
        )  # fmt: skip

    def update(self, instance, validated_data):
        validated_data.pop("request", None)
        return transitions.update_pledge(
            instance.pk, actor=self.context["request"].user,
            lines=validated_data.pop("lines", None), k9_teams=validated_data.pop("k9_teams", None), **validated_data,
        )  # fmt: skip


class DecideLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    officers_accepted = serializers.IntegerField(min_value=0)


class DecideTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    accepted = serializers.BooleanField()


class DecideSerializer(serializers.Serializer):
    decision_note = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, default="", validators=[multiline]
    )
    lines = DecideLineSerializer(many=True, required=False, default=list)
    k9_teams = DecideTeamSerializer(many=True, required=False, default=list)


class WithdrawSerializer(ReasonSerializer):
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500,
        help_text="Ids of officer lines to withdraw, alone; leave `lines` and `k9_teams` out to withdraw the pledge.",
    )  # fmt: skip
    k9_teams = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500,
        help_text="Ids of K9 teams to withdraw, alone.",
    )  # fmt: skip


PARTIAL_WITHDRAW_EXAMPLE = OpenApiExample(
    "one K9 team only", request_only=True, value={"reason": "Rex is ill.", "k9_teams": [7]}
)

PLEDGE_EXAMPLE = OpenApiExample(
    "Polish contingent with dog handlers",
    request_only=True,
    value={
        "request": 12, "commander_name": "Insp. Anna Nowak", "commander_contact": "+48 22 000 00 00",
        "notes": "Arrival by train on 24 July.",
        "lines": [{"specialty": "public_order", "officers_offered": 30, "available_from": "2024-07-20",
                   "available_to": "2024-08-12", "languages": ["pl", "en"],
                   "legal_status": "civil_police", "armed": True, "powers": "joint_patrol"}],
        "k9_teams": [{"handler_name": "Sgt. Piotr Zieliński", "dog_name": "Rex", "dog_breed": "Malinois",
                      "detection": "explosives", "certification_expires_on": "2025-06-30",
                      "available_from": "2024-07-20", "available_to": "2024-08-12",
                      "legal_status": "civil_police", "armed": False, "powers": "joint_patrol"}],
    },
)  # fmt: skip

DECIDE_EXAMPLE = OpenApiExample(
    "partial acceptance",
    request_only=True,
    value={
        "decision_note": "20 officers are enough; both dogs welcome.",
        "lines": [{"id": 31, "officers_accepted": 20}],
        "k9_teams": [{"id": 7, "accepted": True}, {"id": 8, "accepted": True}],
    },
)


class AmendmentChangeSerializer(serializers.ModelSerializer):
    before = serializers.DictField(read_only=True, allow_null=True, help_text="The line or team before (null: added).")
    after = serializers.DictField(read_only=True, allow_null=True, help_text="The line or team after (null: removed).")

    class Meta:
        model = AmendmentChange
        fields = ["id", "kind", "target", "before", "after", "accepted"]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)
    changes = AmendmentChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Amendment
        fields = ["id", "pledge", "status", "note", "submitted_by", "submitted_at", "decided_by", "decided_at",
                  "decision_note", "changes", "updated_at"]  # fmt: skip
        read_only_fields = fields


class AmendSerializer(serializers.Serializer):
    """An amendment's body. Items with an `id` change that line or team (give only what changes); items
    without one are added (give every field, as on the pledge)."""

    note = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="", validators=[multiline])
    lines = PledgeLineSerializer(many=True, required=False, default=list)
    k9_teams = K9TeamSerializer(many=True, required=False, default=list)
    remove_lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500,
        help_text="Ids of officer lines to remove.",
    )  # fmt: skip
    remove_k9_teams = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500,
        help_text="Ids of K9 teams to remove.",
    )  # fmt: skip


class DecideChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    accepted = serializers.BooleanField()


class DecideAmendmentSerializer(serializers.Serializer):
    decision_note = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, default="", validators=[multiline]
    )
    changes = DecideChangeSerializer(many=True, max_length=1000, required=False, default=list)


AMEND_EXAMPLE = OpenApiExample(
    "a dog substituted, a line lowered",
    request_only=True,
    value={
        "note": "Rex is ill: Luna replaces him. 30 officers instead of 40.",
        "lines": [{"id": 31, "officers_offered": 30}],
        "k9_teams": [{"id": 7, "dog_name": "Luna", "microchip": "616093900000123", "pet_passport": "PL-00000123",
                      "rabies_vaccinated_on": "2024-05-02", "certification_expires_on": "2025-12-31"}],
        "remove_lines": [], "remove_k9_teams": [],
    },
)  # fmt: skip

DECIDE_AMENDMENT_EXAMPLE = OpenApiExample(
    "accept one change, reject another",
    request_only=True,
    value={
        "decision_note": "Luna welcome; we keep 40 officers.",
        "changes": [{"id": 3, "accepted": True}, {"id": 4, "accepted": False}],
    },
)


@extend_schema_view(
    create=extend_schema(
        examples=[PLEDGE_EXAMPLE],
        description="A draft pledge on a sent or acknowledged request of the liaison's own country.",
    ),
    update=extend_schema(
        description="Edit while draft or changes_requested; nested rows without `id` are "
        "added, rows left out are removed."
    ),
    partial_update=extend_schema(
        description="Edit while draft or changes_requested; give `lines` or "
        "`k9_teams` to replace them (keep their `id`s to update rows)."
    ),
)
class PledgeViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin):  # fmt: skip
    """Pledges of officers and K9 teams: liaisons create and edit their own country's; coordinators decide."""

    serializer_class = PledgeSerializer
    filterset_class = PledgeFilter
    permission_classes = [RoleWrites]
    write_role = "liaison"
    ordering_fields = ["created_at", "submitted_at", "decided_at", "status"]
    country_field = "request__country"  # ordering=country_name (core/api/ordering.py)
    schema = ApiSchema()

    READS = ("list", "retrieve")

    def get_queryset(self):
        pledges = visible_pledges(self.request.user)
        if self.action not in self.READS:
            # Edits and moves only look the pledge up here (a hidden one is a 404); they read it again, locked.
            return pledges
        return pledges.select_related("request__operation").prefetch_related(*children(as_lists=True))

    def filter_queryset(self, queryset):
        # Query parameters filter what is read; an edit or a move names its pledge by id and takes none.
        return super().filter_queryset(queryset) if self.action in self.READS else queryset

    def _answer(self, pledge):
        # The move hands back the pledge it locked, with its request and operation (and, for some moves,
        # its lines and teams): read only what it has not loaded.
        prefetch_related_objects([pledge], *children())
        return Response(self.get_serializer(pledge).data)

    @move(response=PledgeSerializer)
    def submit(self, request, pk=None):
        """draft|changes_requested → submitted, by the pledge country's liaison; coordinators are told."""
        return self._answer(transitions.submit_pledge(self.get_object().pk, actor=request.user))

    @move(
        NoteSerializer, response=PledgeSerializer, url_path="request-changes",
        examples=[OpenApiExample("note", value={"note": "Add the officers' languages."}, request_only=True)],
    )  # fmt: skip
    def request_changes(self, request, pk=None):
        """submitted → changes_requested, by a coordinator, with a note; the liaisons are told."""
        pk = self.get_object().pk
        note = parse(NoteSerializer, request)["note"]
        return self._answer(transitions.request_changes(pk, actor=request.user, note=note))

    @move(DecideSerializer, response=PledgeSerializer, examples=[DECIDE_EXAMPLE])
    def decide(self, request, pk=None):
        """submitted → accepted | partially_accepted | rejected, by a coordinator. Give every line's
        `officers_accepted` (0..offered) and every team's `accepted`; the status follows."""
        pk = self.get_object().pk
        body = parse(DecideSerializer, request)
        pledge = transitions.decide_pledge(
            pk, actor=request.user, decision_note=body["decision_note"],
            lines={row["id"]: row["officers_accepted"] for row in body["lines"]},
            k9_teams={row["id"]: row["accepted"] for row in body["k9_teams"]},
        )  # fmt: skip
        return self._answer(pledge)

    @move(WithdrawSerializer, response=PledgeSerializer, examples=[REASON_EXAMPLE, PARTIAL_WITHDRAW_EXAMPLE])
    def withdraw(self, request, pk=None):
        """draft|submitted|changes_requested|accepted|partially_accepted → withdrawn, by the liaison, with a
        reason; its open assignments are cancelled and the coordinators told. With `lines` and/or `k9_teams`
        (ids), from a submitted, accepted or partially accepted pledge, only those are withdrawn and only
        their open assignments cancelled (ids of another pledge or already withdrawn: 400, nothing changed);
        naming every line and team still standing withdraws the pledge."""
        pk = self.get_object().pk
        body = parse(WithdrawSerializer, request)
        pledge = transitions.withdraw_pledge(
            pk, actor=request.user, reason=body["reason"], lines=body.get("lines"), k9_teams=body.get("k9_teams")
        )
        return self._answer(pledge)

    @extend_schema(
        request=AmendSerializer, responses={201: AmendmentSerializer}, examples=[AMEND_EXAMPLE],
        description="A change set on a submitted, accepted or partially accepted pledge, by its country's liaison "
        "(SPEC §4): items with an `id` change that line or team, items without one are added; `remove_*` ids are "
        "removed. Every item is validated as on the pledge (400, nothing written); one amendment awaits a "
        "decision at a time (409). The coordinators are told.",
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def amendments(self, request, pk=None):
        pk = self.get_object().pk
        serializer = AmendSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data
        amendment = amendment_transitions.amend_pledge(
            pk, actor=request.user, note=body.get("note", ""), lines=body.get("lines", []),
            k9_teams=body.get("k9_teams", []), remove_lines=body.get("remove_lines", []),
            remove_k9_teams=body.get("remove_k9_teams", []),
        )  # fmt: skip
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class K9TeamListSerializer(K9TeamSerializer):
    """A K9 team with its pledge, country and operation; read-only here (edit it on its pledge)."""

    id = serializers.IntegerField(read_only=True)
    pledge = serializers.IntegerField(source="pledge_id", read_only=True)
    pledge_status = serializers.CharField(source="pledge.status", read_only=True)
    country = serializers.CharField(source="pledge.request.country", read_only=True)
    operation = serializers.CharField(source="pledge.request.operation.code", read_only=True)

    class Meta(K9TeamSerializer.Meta):
        fields = ["id", "pledge", "pledge_status", "country", "operation", *K9TeamSerializer.Meta.fields[1:]]
        read_only_fields = fields


class K9TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """K9 teams across countries (a liaison: their own), with their border readiness (SPEC §3): filter by
    `ready`, `ready_by` (date), `detection`, `certification_expires_before`, `accepted`, `operation`,
    `country`. Teams are written on their pledge (`/api/v1/pledges/{id}/`)."""

    serializer_class = K9TeamListSerializer
    filterset_class = K9TeamFilter
    ordering_fields = ["handler_name", "dog_name", "certification_expires_on", "rabies_vaccinated_on"]
    country_field = "pledge__request__country"  # ordering=country_name (core/api/ordering.py)
    schema = ApiSchema()

    def get_queryset(self):
        return visible_k9_teams(self.request.user).select_related("pledge__request__operation").order_by("pk")


class AmendmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Change sets on pledges (SPEC §4): `?pledge=ID` lists a pledge's (404 for a pledge the caller may not
    see); coordinators decide each change with `decide`."""

    serializer_class = AmendmentSerializer
    filterset_class = AmendmentFilter
    schema = ApiSchema()

    def get_queryset(self):
        return (
            visible_amendments(self.request.user)
            .select_related("submitted_by", "decided_by")
            .prefetch_related("changes")
        )

    def filter_queryset(self, queryset):
        pledge = self.request.query_params.get("pledge")
        # A pledge the caller may not see is not there at all, not a pledge without amendments.
        if (
            self.action == "list"
            and pledge
            and (not pledge.isdigit() or not visible_pledges(self.request.user).filter(pk=pledge).exists())
        ):
            raise NotFound(_("No such pledge."))
        return super().filter_queryset(queryset) if self.action in ("list", "retrieve") else queryset

    @move(DecideAmendmentSerializer, response=AmendmentSerializer, examples=[DECIDE_AMENDMENT_EXAMPLE])
    def decide(self, request, pk=None):
        """submitted → decided, by a coordinator: every change accepted or not. Accepted changes are applied
        (the rest of the pledge keeps its decision and assignments); assignments they make impossible are
        cancelled with the reason, and both sides are told."""
        pk = self.get_object().pk
        body = parse(DecideAmendmentSerializer, request)
        amendment = amendment_transitions.decide_amendment(
            pk, actor=request.user, decision_note=body["decision_note"],
            changes={row["id"]: row["accepted"] for row in body["changes"]},
        )  # fmt: skip
        return Response(AmendmentSerializer(amendment).data)

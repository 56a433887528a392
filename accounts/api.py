"""Accounts over REST: API tokens (`/api/v1/auth/token/`, `/api/v1/auth/tokens/`) and
invitations (`/api/v1/invitations/`)."""

import django_filters
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens, transitions, twofactor
from accounts.models import Invitation
from accounts.queries import visible_invitations, with_status
from accounts.throttling import ClientRateThrottle
from core.api.moves import move, parse
from core.api.permissions import RoleWrites
from core.api.schema import ApiSchema

# --- Tokens ----------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="The 6-digit code of the user's authenticator app, or one recovery code: required once the user has enrolled two-factor sign-in.",
    )  # fmt: skip


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    expiry = serializers.DateTimeField(help_text="When it ends unless used: each call pushes it TOKEN_IDLE_HOURS on.")


class ObtainTokenView(APIView):
    """`POST /api/v1/auth/token/` with username and password (and `otp` for two-factor users) →
    `{"token", "expiry"}`: a new token for each sign-in (SPEC §7, §11).

    Goes through `authenticate(request=...)` so django-axes counts failures and locks out, the
    same defence as the login page; the `login` throttle caps attempts per client address."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "login"
    schema = ApiSchema()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        examples=[
            OpenApiExample("credentials", value={"username": "liaison-pl", "password": "…"}, request_only=True),
            OpenApiExample(
                "with two-factor",
                value={"username": "coordinator", "password": "…", "otp": "123456"},
                request_only=True,
            ),
            OpenApiExample(
                "token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b…", "expiry": "2024-07-26T18:00:00+02:00"},
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        data = parse(TokenRequestSerializer, request)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # Axes' middleware would swap in its page; an API client gets SPEC §7's JSON instead.
            request._request.axes_locked_out = False
            raise exceptions.Throttled(detail=_("Too many failed logins: this account is locked for a while."))
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        if twofactor.has_device(user):
            if not data.get("otp"):
                raise exceptions.ValidationError({"otp": [_("Enter the code of your authenticator app.")]})
            if not twofactor.verify(user, data["otp"]):
                raise exceptions.ValidationError({"otp": [_("This code is wrong or was already used.")]})
        token, key = tokens.issue(user)
        return Response({"token": key, "expiry": token.expiry})


class RevokeTokenView(APIView):
    """`POST /api/v1/auth/token/revoke/`: log out, revoking the token of this call (the others stay)."""

    schema = ApiSchema()

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if getattr(request.auth, "pk", None):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", help_text="The token's first characters: not enough to use it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="True for the token making this call.")

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return getattr(auth, "pk", None) == token.pk


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens: list them, revoke one (`DELETE /api/v1/auth/tokens/{id}/`)."""

    serializer_class = TokenListSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"[0-9a-f]{1,15}"
    schema = ApiSchema()

    def get_queryset(self):
        return tokens.tokens_of(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), token_key=self.kwargs["pk"])


# --- Invitations ------------------------------------------------------------------------------


class InvitationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(s, s) for s in ("pending", "expired", "accepted", "revoked")], method="by_status"
    )

    class Meta:
        model = Invitation
        fields = ["status", "role", "country"]

    def by_status(self, queryset, name, value):
        return with_status(queryset, value)


class InvitationSerializer(serializers.ModelSerializer):
    email = serializers.CharField(max_length=254)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["en", "fr"], default="en")
    status = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id", "email", "role", "country", "language", "status", "invited_by",
            "sent_at", "expires_at", "accepted_at", "revoked_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["sent_at", "accepted_at", "revoked_at"]

    def get_status(self, invitation) -> str:
        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "expired" if invitation.is_expired else "pending"

    def create(self, validated_data):
        return transitions.invite(actor=self.context["request"].user, **validated_data)


class InvitationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invitations to liaisons (with their country) and staff; coordinators send, resend and revoke
    them. The invitee gets an email in `language` with a one-time link valid 7 days."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    permission_classes = [RoleWrites]
    write_role = "coordinator"
    ordering_fields = ["sent_at", "email"]
    schema = ApiSchema()

    def get_queryset(self):
        return visible_invitations(self.request.user)

    @extend_schema(
        examples=[
            OpenApiExample(
                "liaison",
                value={"email": "jan.kowalski@policja.gov.pl", "role": "liaison", "country": "PL", "language": "en"},
                request_only=True,
            ),
            OpenApiExample(
                "viewer",
                value={"email": "analyste@interieur.gouv.fr", "role": "viewer", "language": "fr"},
                request_only=True,
            ),
        ]
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @move(response=InvitationSerializer)
    def resend(self, request, pk=None):
        """A new link valid 7 days, by email; the previous link stops working. Coordinators only."""
        return Response(self.get_serializer(transitions.resend(self.get_object().pk, actor=request.user)).data)

    @move(response=InvitationSerializer)
    def revoke(self, request, pk=None):
        """The link stops working and the unused account is deactivated. Coordinators only."""
        return Response(self.get_serializer(transitions.revoke(self.get_object().pk, actor=request.user)).data)

"""API tokens: `POST /api/v1/auth/token/` and its revocation (SPEC §7)."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api.moves import parse
from core.api.schema import ApiSchema


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """`POST /api/v1/auth/token/` with username and password → `{"token"}` (SPEC §7).

    Goes through `authenticate(request=...)` so django-axes counts failures and locks out,
    the same defence as the login page; the `login` throttle scope caps attempts per client.
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    schema = ApiSchema()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        examples=[
            OpenApiExample("credentials", value={"username": "liaison-pl", "password": "…"}, request_only=True),
            OpenApiExample("token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True),
        ],
    )
    def post(self, request):
        data = parse(TokenRequestSerializer, request)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # Axes' middleware would swap in its text page; an API client gets SPEC §7's JSON instead.
            request._request.axes_locked_out = False
            raise exceptions.Throttled(detail=_("Too many failed logins: this account is locked for a while."))
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class RevokeTokenView(APIView):
    """`POST /api/v1/auth/token/revoke/`: log out, deleting the caller's token."""

    schema = ApiSchema()

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

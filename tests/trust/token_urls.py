"""The token view and one authenticated endpoint, for test_tokens.py (SPEC §7: POST /api/v1/auth/token/)."""

from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from accounts.api import ObtainTokenView


@api_view(["GET"])
def whoami(request):
    return Response({"username": request.user.username})


urlpatterns = [
    path("api/v1/auth/token/", ObtainTokenView.as_view()),
    path("whoami/", whoami),
]

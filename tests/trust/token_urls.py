"""DRF's token view and one authenticated endpoint, for test_tokens.py while the API lives in
another branch (SPEC §7: POST /api/v1/auth/token/)."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["GET"])
def whoami(request):
    return Response({"username": request.user.username})


urlpatterns = [
    path("api/v1/auth/token/", obtain_auth_token),
    path("whoami/", whoami),
]

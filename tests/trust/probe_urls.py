"""Probe endpoints for the fault tests (only under tests.trust.probe_settings).

They call the same ORM and move functions as the pages and the API, through the whole
middleware stack, so a fault shows as the app would show it. The API and pages arrive in
other branches; then these tests can drive /api/v1/ instead.
"""

from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as app_urlpatterns
from notifications.models import Notification
from reinforcements.models import Operation, ReinforcementRequest
from reinforcements.transitions import send_request
from tests.factories import CoordinatorFactory, LiaisonFactory, OperationFactory, RequestFactory, RequestLineFactory


def read(request):
    return JsonResponse({"operations": Operation.objects.count(), "requests": ReinforcementRequest.objects.count()})


@csrf_exempt
@require_POST
def write(request, key):
    operation = OperationFactory(code=key, name=key)
    return JsonResponse({"id": operation.pk}, status=201)


@csrf_exempt
@require_POST
@transaction.atomic
def seed(request):
    """A coordinator, a liaison of PL with an email address, and `n` draft requests to PL."""
    n = int(request.GET.get("n", "3"))
    coordinator = CoordinatorFactory(username="probe-coordinator")
    LiaisonFactory(username="probe-liaison", country="PL", email="liaison@policja.example")
    ids = []
    for i in range(n):
        req = RequestFactory(operation=OperationFactory(code=f"probe-op-{i}"), status="draft")
        RequestLineFactory(request=req)
        ids.append(req.pk)
    return JsonResponse({"coordinator": coordinator.pk, "requests": ids})


@csrf_exempt
@require_POST
def send(request, pk):
    actor = CoordinatorFactory._meta.model.objects.get(username="probe-coordinator")
    req = send_request(pk, actor=actor)
    return JsonResponse({"status": req.status})


def emails(request):
    rows = Notification.objects.filter(channel="email").order_by("pk")
    return JsonResponse({"emails": list(rows.values("pk", "status", "attempts", "object_id"))})


urlpatterns = [
    path("probe/read/", read),
    path("probe/write/<slug:key>/", write),
    path("probe/seed/", seed),
    path("probe/send/<int:pk>/", send),
    path("probe/emails/", emails),
    path("", include(app_urlpatterns)),
]

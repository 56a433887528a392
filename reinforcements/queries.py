"""What each user may see. A liaison sees their own country only; what is hidden is a 404."""

from django.http import Http404

from core.roles import is_staff_reader, liaison_country
from reinforcements.models import Operation, ReinforcementRequest


def visible_requests(user):
    qs = ReinforcementRequest.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    if country:
        # A request is the ministry's own work until it is sent: a draft, or a draft that was
        # cancelled before sending, does not exist for the country.
        return (
            qs.filter(country=country)
            .exclude(status=ReinforcementRequest.Status.DRAFT)
            .exclude(status=ReinforcementRequest.Status.CANCELLED, sent_at__isnull=True)
        )
    return qs.none()


def visible_operations(user):
    if is_staff_reader(user):
        return Operation.objects.all()
    return Operation.objects.filter(pk__in=visible_requests(user).values("operation_id"))


def operation_of(request, code):
    """The operation of a staff URL, or 404; picked from the operations menu (one query for both)."""
    for operation in nav_operations(request):
        if operation.code == code:
            return operation
    raise Http404


def nav_operations(request) -> list:
    """The operations the user may see, in menu order; read once per request (a handful of rows)."""
    if not hasattr(request, "_nav_operations"):
        request._nav_operations = list(visible_operations(request.user))
    return request._nav_operations

"""What each user may see. A liaison sees their own country only; what is hidden is a 404."""

from reinforcements.models import Operation, ReinforcementRequest
from reinforcements.roles import is_staff_reader, liaison_country


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

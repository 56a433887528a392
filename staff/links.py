"""Where the staff site shows what a notification is about (notifications.registry)."""

from django.urls import reverse

from notifications.registry import STAFF, register_link


def register() -> None:
    register_link("reinforcements.reinforcementrequest", STAFF, lambda r: reverse("request_detail", args=[r.pk]))
    register_link("pledges.pledge", STAFF, lambda p: reverse("pledge_review", args=[p.pk]))
    register_link("pledges.k9team", STAFF, lambda t: reverse("pledge_review", args=[t.pledge_id]))
    register_link("notifications.webhook", STAFF, lambda h: reverse("webhook_detail", args=[h.pk]))
    register_link("deployments.assignment", STAFF, lambda a: reverse("assignment_detail", args=[a.pk]))
    register_link(
        "overdue_requests",
        STAFF,
        lambda operation: reverse("request_list", args=[operation.code]) if operation else "/",
    )

"""Where the portal shows what a notification is about (notifications.registry)."""

from django.urls import reverse

from notifications.registry import LIAISON, register_link


def register() -> None:
    register_link(
        "reinforcements.reinforcementrequest", LIAISON, lambda r: reverse("portal:request_detail", args=[r.pk])
    )
    register_link("pledges.pledge", LIAISON, lambda p: reverse("portal:pledge_detail", args=[p.pk]))
    register_link("pledges.k9team", LIAISON, lambda t: reverse("portal:pledge_detail", args=[t.pledge_id]))
    register_link("deployments.assignment", LIAISON, lambda a: reverse("portal:assignment_detail", args=[a.pk]))
    register_link("deployments", LIAISON, lambda _obj: reverse("portal:deployments"))

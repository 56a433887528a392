from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentsConfig(AppConfig):
    name = "deployments"
    verbose_name = _("Deployments")

    def ready(self):
        from deployments import notices  # noqa: F401  (notification texts and reminder rules)
        from deployments.transitions import (
            cancel_assignments_broken_by_change,
            cancel_open_assignments_of,
            cancel_open_assignments_of_request,
        )
        from pledges.signals import capacity_changed, capacity_withdrawn
        from reinforcements.signals import request_ended

        # A withdrawn pledge cancels its open assignments in the same transaction (pledges sends,
        # never imports deployments).
        capacity_withdrawn.connect(cancel_open_assignments_of, dispatch_uid="deployments-cancel-withdrawn")
        # An amendment's accepted changes cancel the assignments they make impossible, in the same way.
        capacity_changed.connect(
            cancel_assignments_broken_by_change, dispatch_uid="deployments-cancel-broken-by-change"
        )
        # A declined or cancelled request stands down the people placed from its pledges, in the same way.
        request_ended.connect(cancel_open_assignments_of_request, dispatch_uid="deployments-cancel-request-ended")

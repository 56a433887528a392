from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentsConfig(AppConfig):
    name = "deployments"
    verbose_name = _("Deployments")

    def ready(self):
        from deployments import notices  # noqa: F401  (notification texts and reminder rules)
        from deployments.transitions import cancel_open_assignments_of
        from pledges.signals import capacity_withdrawn

        # A withdrawn pledge cancels its open assignments in the same transaction (pledges sends,
        # never imports deployments).
        capacity_withdrawn.connect(cancel_open_assignments_of, dispatch_uid="deployments-cancel-withdrawn")

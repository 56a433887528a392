from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReinforcementsConfig(AppConfig):
    name = "reinforcements"
    verbose_name = _("Reinforcements")

    def ready(self):
        from reinforcements import notices  # noqa: F401  (notification texts and reminder rules)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff pages")

    def ready(self):
        from staff import links, live

        links.register()
        live.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: roles, errors, history, audit, authentication, countries, page and API helpers.

    It imports no other app of the project (import-linter checks it: pyproject.toml)."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from core import freshness

        freshness.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Registers the webhook tasks with Celery: autodiscovery reads only notifications.tasks,
        # which cannot import that module (it notifies through the outbox, which imports tasks).
        from notifications import webhook_delivery  # noqa: F401

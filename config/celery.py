import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reinforcements")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Static on purpose: django-celery-beat caps Django below 6.1 (see DEVELOPERS.md).
app.conf.beat_schedule = {
    # Emails the after-commit hook could not queue (broker down) or whose retry was lost.
    "sweep-pending-notifications": {
        "task": "notifications.tasks.sweep_pending",
        "schedule": 60.0,
        "options": {"expires": 55},  # a worker back from an outage runs one sweep, not a backlog
    },
    # Webhook deliveries the after-commit hook could not queue, or whose worker died mid-try (SPEC §12).
    "sweep-pending-webhooks": {
        "task": "notifications.webhook_delivery.sweep_webhooks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # SPEC §6 reminders; hourly, so a due date reached today is told today. Each reminder reaches
    # a person at most once a day (unique dedup key), so running more often never repeats one.
    "send-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
}

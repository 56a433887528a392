import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reinforcements")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Static on purpose: django-celery-beat caps Django below 6.1 (see DEVELOPERS.md).
app.conf.beat_schedule = {
    "sweep-pending-notifications": {
        "task": "notifications.tasks.sweep_pending",
        "schedule": 60.0,
    },
    "send-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": crontab(minute=7),
    },
}

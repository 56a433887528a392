"""The static beat schedule (config/celery.py) runs the sweeper and the reminders."""

from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert tasks == {"notifications.tasks.sweep_pending", "notifications.tasks.send_reminders"}
    assert tasks <= set(app.tasks)

"""The static beat schedule (config/celery.py) runs the sweepers (emails, webhooks) and the reminders."""

from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert tasks == {
        "notifications.tasks.sweep_pending",
        "notifications.tasks.send_reminders",
        "notifications.webhook_delivery.sweep_webhooks",
    }
    assert tasks <= set(app.tasks)


def test_the_suite_sends_its_tasks_to_a_queue_of_its_own():
    from django.conf import settings

    assert (
        app.conf.task_default_queue
        == f"reinforcements.test_{settings.DATABASES['default']['NAME'].removeprefix('test_')}"
    )
    assert app.conf.broker_transport_options["global_keyprefix"] == app.conf.task_default_queue + ":"
    assert app.amqp.queues.keys() == {app.conf.task_default_queue}

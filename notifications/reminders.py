"""Reminders (SPEC §6): what is due soon or late, told to the side that must act.

Run hourly by beat (config/celery.py) and by `manage.py send_reminders`. The rules live with the
domain they watch (`<app>/reminders.py`) and register here with `notifications.registry.reminder`.
Each reminder carries a dedup key "<rule>:<object>:<day>"; the unique (recipient, channel, dedup_key)
constraint means a person hears about the same thing at most once a (Paris) day, however often
this runs. Every rule takes `now`, so tests and the command can run it at any instant.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.registry import reminder_rules


def send_all(now: dt.datetime | None = None, *, dry_run: bool = False) -> list[Notification]:
    """Every rule once; returns one in-app row per person told (what the command prints).

    A dry run does the same work in a transaction it rolls back: nothing is kept, nothing is queued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = [row for rule in reminder_rules for row in rule(now)]
        if dry_run:
            transaction.set_rollback(True)
    return [row for row in rows if row.channel == Notification.Channel.IN_APP]


def reminder_day(now: dt.datetime) -> dt.date:
    """The (operation's) day of `now`: the day part of every dedup key."""
    return timezone.localdate(now)

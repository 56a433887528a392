"""Writing notifications: inside the caller's transaction, delivered after it commits (SPEC §6)."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation

from notifications.messages import render
from notifications.models import Notification
from reinforcements.roles import COORDINATORS

logger = logging.getLogger(__name__)


def coordinators():
    return get_user_model().objects.filter(groups__name=COORDINATORS, is_active=True)


def liaisons_of(country: str):
    return get_user_model().objects.filter(liaison_profile__country=country, is_active=True)


def notify(recipients, event: str, obj, *, context: dict | None = None, dedup_key: str | None = None, url=""):
    """One in-app and one email row per recipient, in the recipient's language.

    Must run inside the transaction of the change it reports: a rollback leaves nothing.
    """
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    rows = []
    for user in recipients:
        with translation.override(user.language):
            subject, body = render(event, obj, context or {})
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL):
            if channel == Notification.Channel.EMAIL and not user.email:
                continue
            rows.append(
                Notification(
                    recipient=user, event=event, subject=subject, body=body, url=url, channel=channel,
                    # In-app is delivered by existing; only email goes through the outbox.
                    status=Notification.Status.SENT if channel == Notification.Channel.IN_APP else Notification.Status.PENDING,
                    content_type=content_type, object_id=getattr(obj, "pk", None), dedup_key=dedup_key,
                )
            )  # fmt: skip
    created = Notification.objects.bulk_create(rows, ignore_conflicts=dedup_key is not None)
    email_ids = [n.pk for n in created if n.pk and n.channel == Notification.Channel.EMAIL]
    if email_ids:
        transaction.on_commit(lambda: queue_delivery(email_ids))
    return created


def queue_delivery(ids) -> None:
    """Hand emails to Celery; if the broker is down the sweeper picks them up later."""
    from notifications.tasks import deliver

    for pk in ids:
        try:
            deliver.delay(pk)
        except Exception:  # broker unreachable: the row stays pending for the sweeper
            logger.warning("could not queue notification %s; the sweeper will retry", pk, exc_info=True)
            return


def notify_other_side(actor, country: str, event: str, obj, *, path: str, context: dict | None = None):
    """A liaison's move tells the coordinators; a ministry move tells that country's liaisons.

    `path` is the object's page below the staff site; liaisons get the same path under /portal.
    """
    from reinforcements.roles import liaison_country

    if liaison_country(actor):
        return notify(coordinators(), event, obj, context=context, url=path)
    return notify(liaisons_of(country), event, obj, context=context, url=f"/portal{path}")

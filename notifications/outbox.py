"""Writing notifications: inside the caller's transaction, delivered after it commits (SPEC §6).

The Notification table is the outbox. A row exists as soon as the change that caused it commits;
a rollback leaves none. Email rows are handed to Celery by `transaction.on_commit`, one message
(`deliver_many`) per transaction; when the broker is down they stay `pending` and
`notifications.tasks.sweep_pending` queues them later. Delivery: notifications.tasks.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.roles import COORDINATORS, liaison_country
from notifications.after_commit import queue_after_commit
from notifications.messages import email_text, event_texts, language_of
from notifications.models import Notification
from notifications.registry import LIAISON, STAFF, link_of
from notifications.tasks import queue_delivery
from notifications.webhooks import write_deliveries

# With the liaison profile: each message names the recipient's role (messages._role), one query less a person.


def coordinators():
    users = get_user_model().objects.filter(groups__name=COORDINATORS, is_active=True)
    return users.select_related("liaison_profile").order_by("pk")


def liaisons_of(country: str):
    users = get_user_model().objects.filter(liaison_profile__country=country, is_active=True)
    return users.select_related("liaison_profile").order_by("pk")


def notify(recipients, event: str, obj, *, context: dict | None = None, dedup_key: str | None = None, url=""):
    """One in-app row and one email row per recipient, written in the recipient's language.

    Must run inside the transaction of the change it reports. With a `dedup_key` (reminders), a
    recipient who already has a row with that key gets nothing: the unique constraint
    (recipient, channel, dedup_key) holds it even when two runs race. Returns the rows written.
    """
    recipients = list(recipients)
    if dedup_key is not None:
        already = set(
            Notification.objects.filter(dedup_key=dedup_key, recipient__in=recipients).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = [user for user in recipients if user.pk not in already]
    if not recipients:
        return []
    rows = notification_rows(recipients, event, obj, context=context, dedup_key=dedup_key, url=url)
    if dedup_key is None:
        created = Notification.objects.bulk_create(rows)
    else:
        # ON CONFLICT DO NOTHING returns no ids: read the rows back (a racing run's rows included,
        # which is harmless: delivery is idempotent).
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(dedup_key=dedup_key, recipient__in=recipients).select_related("recipient")
        )
    email_ids = [n.pk for n in created if n.channel == Notification.Channel.EMAIL]
    if email_ids:
        queue_after_commit(email_ids, queue_delivery)
    return created


def notification_rows(recipients, event: str, obj, *, context=None, dedup_key=None, url="", now=None):
    """The rows `notify` writes, unsaved: per recipient an in-app row and, with an address, an email
    row, in the recipient's language (one rendering per language). The games-scale seeder writes them too."""
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    rows, texts = [], {}
    for user in recipients:
        language = language_of(user)
        if language not in texts:
            texts[language] = event_texts(event, obj, context or {}, language=language)
        subject, body = texts[language]
        common = {
            "recipient": user, "event": event, "subject": subject, "url": url, "dedup_key": dedup_key,
            "content_type": content_type, "object_id": getattr(obj, "pk", None),
        }  # fmt: skip
        # In-app is delivered by existing; only email goes through the outbox.
        rows.append(
            Notification(
                channel=Notification.Channel.IN_APP, body=body, status=Notification.Status.SENT, sent_at=now,
                next_attempt_at=None, **common,
            )
        )  # fmt: skip
        if user.email:
            email = email_text(body, user=user, url=url)
            rows.append(Notification(channel=Notification.Channel.EMAIL, body=email, next_attempt_at=now, **common))
    return rows


def notify_other_side(actor, country: str, event: str, obj, *, context: dict | None = None):
    """A liaison's move tells the coordinators; a ministry move tells that country's liaisons.

    Each side's link to the object comes from the registry the faces fill. The actor is never
    told of their own move. Webhooks listening to the event get their delivery rows here too, in
    the same transaction (notifications.webhooks).
    """
    write_deliveries(event, obj, data={"country": country, **(context or {})})
    if liaison_country(actor):
        url = link_of(obj, STAFF)
        return notify(coordinators().exclude(pk=actor.pk), event, obj, context=context, url=url)
    url = link_of(obj, LIAISON)
    return notify(liaisons_of(country).exclude(pk=actor.pk), event, obj, context=context, url=url)


def notify_own_side(actor, country: str, event: str, obj, *, context: dict | None = None):
    """The actor's own side, the actor left out: the other coordinators after a ministry move, the
    country's other liaisons after a liaison's (what a move did beyond itself, e.g. a cascade)."""
    if liaison_country(actor):
        return notify(liaisons_of(country).exclude(pk=actor.pk), event, obj, context=context, url=link_of(obj, LIAISON))
    return notify(coordinators().exclude(pk=actor.pk), event, obj, context=context, url=link_of(obj, STAFF))

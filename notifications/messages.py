"""Subjects and bodies per event, in the recipient's language (FR/EN), from templates.

Each event has `notifications/events/<event>.txt` with two partials, `subject` and `body`;
`notifications/email.txt` wraps a body for email (greeting, link to the object, why you get it).
Translations: `notifications/locale/fr/LC_MESSAGES/django.po`.
"""

import functools
import zoneinfo

from django.conf import settings
from django.template import Context, Engine
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import is_coordinator, liaison_country
from notifications.registry import describe


@functools.cache
def _engine() -> Engine:
    """Plain text: no HTML escaping; i18n, tz and our filters without a {% load %} in each template."""
    return Engine(
        app_dirs=True, autoescape=False,
        builtins=["django.templatetags.i18n", "django.templatetags.tz", "notifications.templatetags.notification_text"],
    )  # fmt: skip


DECISION = {
    "accepted": gettext_lazy("accepted in full"),
    "partially_accepted": gettext_lazy("partially accepted"),
    "rejected": gettext_lazy("rejected"),
}


def language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def event_texts(event: str, obj, context: dict, *, language: str) -> tuple[str, str]:
    """The subject and the in-app body of an event, in one language. No event template names its
    reader, so one rendering serves every recipient who reads that language (outbox.notify)."""
    with translation.override(language), timezone.override(_timezone_of(obj)):
        values = {**context, "obj": obj, "what": describe(obj) if obj is not None else ""}
        ctx = Context(values, autoescape=False)
        subject = " ".join(_engine().get_template(f"notifications/events/{event}.txt#subject").render(ctx).split())
        body = _tidy(_engine().get_template(f"notifications/events/{event}.txt#body").render(ctx))
    return subject[:300], body


def email_text(body: str, *, user, url: str = "") -> str:
    """The whole email around an event's body: greeting, link, why this person gets it."""
    with translation.override(language_of(user)):
        link = f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""
        email_ctx = Context({"user": user, "body": body, "link": link, "role": _role(user)}, autoescape=False)
        return _tidy(_engine().get_template("notifications/email.txt").render(email_ctx))


def _tidy(text: str) -> str:
    """Templates keep their tags on lines of their own: drop the blank runs that leaves."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"


def _role(user) -> str:
    country = liaison_country(user)
    if country:
        return _("liaison officer for %(country)s") % {"country": country}
    return _("coordinator") if is_coordinator(user) else _("member of the ministry staff")


def _operation_of(obj):
    for path in ("operation", "request.operation", "pledge.request.operation", "venue.operation"):
        target = obj
        for name in path.split("."):
            target = getattr(target, name, None)
        if target is not None:
            return target
    return None


def _timezone_of(obj) -> zoneinfo.ZoneInfo:
    operation = _operation_of(obj) if obj is not None else None
    return zoneinfo.ZoneInfo(operation.timezone if operation else settings.TIME_ZONE)


def when(value) -> str:
    """An instant in the active time zone and language: '26 July 2024 08:00' / '26 juillet 2024 08:00'."""
    return formats.date_format(timezone.localtime(value), "j F Y H:i")

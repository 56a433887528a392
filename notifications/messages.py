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
from django.utils.translation import gettext_lazy, ngettext

from reinforcements.roles import is_coordinator, liaison_country


@functools.cache
def _engine() -> Engine:
    """Plain text: no HTML escaping; i18n, tz and our filters without a {% load %} in each template."""
    return Engine(
        app_dirs=True, autoescape=False,
        builtins=["django.templatetags.i18n", "django.templatetags.tz", "notifications.templatetags.notification_text"],
    )  # fmt: skip


AUTHORITY = {"interior": gettext_lazy("police"), "defence": gettext_lazy("military specialists")}
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


def describe(obj) -> str:
    """A short name for what a notification is about, in the active language."""
    from deployments.models import Assignment
    from pledges.models import K9Team, Pledge
    from reinforcements.models import ReinforcementRequest

    if isinstance(obj, ReinforcementRequest):
        return _("%(operation)s request to %(country)s (%(authority)s)") % {
            "operation": obj.operation.name, "country": obj.country, "authority": AUTHORITY[obj.authority],
        }  # fmt: skip
    if isinstance(obj, Pledge):
        return _("pledge #%(id)s from %(country)s for %(operation)s") % {
            "id": obj.pk, "country": obj.request.country, "operation": obj.request.operation.name,
        }  # fmt: skip
    if isinstance(obj, K9Team):
        return _("K9 team %(handler)s and %(dog)s (%(country)s)") % {
            "handler": obj.handler_name, "dog": obj.dog_name, "country": obj.pledge.request.country,
        }  # fmt: skip
    if isinstance(obj, Assignment):
        values = {"venue": obj.venue.name, "start": when(obj.starts_at), "end": when(obj.ends_at)}
        if obj.k9_team_id:
            team = obj.k9_team
            return _("K9 team %(handler)s and %(dog)s at %(venue)s, %(start)s – %(end)s") % {
                **values, "handler": team.handler_name, "dog": team.dog_name,
            }  # fmt: skip
        return ngettext(
            "%(n)s officer (%(specialty)s) at %(venue)s, %(start)s – %(end)s",
            "%(n)s officers (%(specialty)s) at %(venue)s, %(start)s – %(end)s",
            obj.quantity,
        ) % {
            **values, "n": obj.quantity, "specialty": obj.pledge_line.specialty.name,
        }  # fmt: skip
    return str(obj)

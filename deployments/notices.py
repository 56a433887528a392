"""How assignments are named in notifications, and their reminders (registered in apps.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deployments import reminders  # noqa: F401  (registers the reminder rules)
from notifications.messages import when
from notifications.registry import register_description


def describe_assignment(obj) -> str:
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


register_description("deployments.assignment", describe_assignment)

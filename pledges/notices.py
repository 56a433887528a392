"""How pledges and K9 teams are named in notifications, and their reminders (registered in apps.ready)."""

from django.utils.translation import gettext as _

from notifications.registry import register_description
from pledges import reminders  # noqa: F401  (registers the reminder rules)


def describe_pledge(obj) -> str:
    return _("pledge #%(id)s from %(country)s for %(operation)s") % {
        "id": obj.pk, "country": obj.request.country, "operation": obj.request.operation.name,
    }  # fmt: skip


def describe_k9_team(obj) -> str:
    return _("K9 team %(handler)s and %(dog)s (%(country)s)") % {
        "handler": obj.handler_name, "dog": obj.dog_name, "country": obj.pledge.request.country,
    }  # fmt: skip


register_description("pledges.pledge", describe_pledge)
register_description("pledges.k9team", describe_k9_team)

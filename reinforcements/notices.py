"""How a request is named in notifications (registered with the notifications app in apps.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.registry import register_description

AUTHORITY = {"interior": gettext_lazy("police"), "defence": gettext_lazy("military specialists")}


def describe_request(obj) -> str:
    return _("%(operation)s request to %(country)s (%(authority)s)") % {
        "operation": obj.operation.name, "country": obj.country, "authority": AUTHORITY[obj.authority],
    }  # fmt: skip


register_description("reinforcements.reinforcementrequest", describe_request)

"""Subjects and bodies per event, in the active language."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "request_sent": (_("New request for reinforcements: %(obj)s"), _("The ministry asks for reinforcements: %(obj)s.")),
    "request_amended": (_("Request amended: %(obj)s"), _("The ministry amended its request %(obj)s.")),
    "request_acknowledged": (_("Request acknowledged: %(obj)s"), _("The country acknowledged request %(obj)s.")),
    "request_declined": (_("Request declined: %(obj)s"), _("The country declined request %(obj)s. Reason: %(reason)s")),
    "request_cancelled": (
        _("Request cancelled: %(obj)s"),
        _("The ministry cancelled request %(obj)s. Reason: %(reason)s"),
    ),
    "request_closed": (_("Request closed: %(obj)s"), _("The ministry closed request %(obj)s.")),
    "pledge_submitted": (_("Pledge submitted: %(obj)s"), _("%(obj)s was submitted and awaits a decision.")),
    "pledge_changes_requested": (
        _("Changes requested: %(obj)s"),
        _("The ministry asks for changes to %(obj)s: %(note)s"),
    ),
    "pledge_decided": (_("Decision on %(obj)s: %(status)s"), _("The ministry decided %(obj)s: %(status)s. %(note)s")),
    "pledge_withdrawn": (
        _("Pledge withdrawn: %(obj)s"),
        _("%(obj)s was withdrawn. Reason: %(reason)s. Cancelled assignments: %(cancelled)s"),
    ),
    "assignment_planned": (_("New assignment: %(obj)s"), _("An assignment was planned: %(obj)s, %(when)s.")),
    "assignment_moved": (_("Assignment changed: %(obj)s"), _("An assignment was changed: %(obj)s, %(when)s.")),
    "assignment_confirmed": (_("Assignment confirmed: %(obj)s"), _("The assignment %(obj)s was confirmed.")),
    "assignment_started": (_("Assignment started: %(obj)s"), _("The assignment %(obj)s is now active.")),
    "assignment_completed": (_("Assignment completed: %(obj)s"), _("The assignment %(obj)s is completed.")),
    "assignment_cancelled": (_("Assignment cancelled: %(obj)s"), _("The assignment %(obj)s was cancelled. %(reason)s")),
}


class _Default(dict):
    def __missing__(self, key):
        return ""


def render(event: str, obj, context: dict) -> tuple[str, str]:
    subject, body = MESSAGES[event]
    values = _Default(context, obj=str(obj))
    return str(subject) % values, str(body) % values

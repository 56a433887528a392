"""What the notifications app learns from the apps above it, which it never imports (STYLE layers).

- Links: the faces (staff, portal) say where an object is shown to their audience:
  `register_link("pledges.pledge", "staff", lambda pledge: ...)`. Keys are model labels
  (`obj._meta.label_lower`) or names of digests ("overdue_requests", "deployments").
- Descriptions: each domain app says how one of its objects is named in a message:
  `register_description("pledges.pledge", func)`, called in the recipient's language.
- Reminder rules: each domain app registers its own with `@reminder` (notifications.reminders runs them).
"""

STAFF, LIAISON = "staff", "liaison"

_links: dict[tuple[str, str], object] = {}
_descriptions: dict[str, object] = {}
reminder_rules: list = []


def key_of(obj) -> str:
    return obj._meta.label_lower


def register_link(key: str, audience: str, func) -> None:
    _links[(key, audience)] = func


def link(key: str, audience: str, obj=None) -> str:
    """The path of `obj` (or of the digest `key`) on the site of `audience`; "" when none is known."""
    func = _links.get((key, audience))
    return func(obj) if func else ""


def link_of(obj, audience: str) -> str:
    return link(key_of(obj), audience, obj) if obj is not None else ""


def register_description(key: str, func) -> None:
    _descriptions[key] = func


def describe(obj) -> str:
    """A short name for what a notification is about, in the active language."""
    func = _descriptions.get(key_of(obj))
    return func(obj) if func else str(obj)


def reminder(func):
    """Register a reminder rule: func(now) -> the notification rows it wrote."""
    reminder_rules.append(func)
    return func

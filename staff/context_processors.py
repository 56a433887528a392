"""The base layout's menu and unread count, read only when a page shows them (lazy)."""

from django.utils.functional import SimpleLazyObject

from notifications.reading import unread_count
from reinforcements.queries import nav_operations


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_operations": SimpleLazyObject(lambda: nav_operations(request)),
        "unread_count": SimpleLazyObject(lambda: unread_count(user)),
    }

"""Who may write through the CRUD endpoints; reading follows each app's visible_<things>(user)."""

from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import is_coordinator, liaison_country


def _role_ok(user, role: str, obj=None) -> bool:
    if role == "coordinator":
        return is_coordinator(user)
    country = liaison_country(user)
    return bool(country) and (obj is None or getattr(obj, "country", country) == country)


class RoleWrites(BasePermission):
    """Reading follows visibility (querysets); creating, editing and deleting need the view's
    `write_role`. Detail writes are checked on the object, after the lookup, so that what a
    liaison cannot see stays a 404 rather than a 403. Moves (actions) check roles in transitions."""

    message = gettext_lazy("Your role may not change this.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or view.detail:
            return True
        return _role_ok(request.user, view.write_role)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or _role_ok(request.user, view.write_role, obj)

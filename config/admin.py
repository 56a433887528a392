"""The Django admin is for superusers only (SPEC §2): `is_staff` alone opens nothing.

Every model admin with history derives from `HistoryAdmin`: history is read-only there.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    default_site = "config.admin.SuperuserAdminSite"


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, with the history as the audit trail: shown, never written back.

    SIMPLE_HISTORY_REVERT_DISABLED only hides the "Revert" button; the form view would still
    save a POST, so it answers GET alone.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request, obj=None):
        return False

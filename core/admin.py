"""The Django admin is for superusers only (SPEC §2): `is_staff` alone opens nothing.

Every model admin with history derives from `HistoryAdmin`: history is read-only there.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from core.models import ExportRecord


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


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """The audit of personal-data exports: readable by superusers, written only by record_export."""

    list_display = ("at", "user", "what", "rows")
    list_filter = ("what",)
    search_fields = ("user__username", "what")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from core.admin import HistoryAdmin
from pledges.models import K9Team, Pledge, PledgeLine


class PledgeLineInline(admin.TabularInline):
    model = PledgeLine
    extra = 0
    readonly_fields = ("officers_accepted", "withdrawn_at", "withdrawn_by", "withdraw_reason")


class K9TeamInline(admin.TabularInline):
    model = K9Team
    extra = 0
    readonly_fields = ("accepted", "withdrawn_at", "withdrawn_by", "withdraw_reason")


@admin.register(Pledge)
class PledgeAdmin(HistoryAdmin):
    list_display = ("id", "request", "status", "commander_name", "submitted_at", "decided_at")
    list_filter = ("status", "request__operation", "request__country")
    search_fields = ("commander_name", "commander_contact", "request__country")
    readonly_fields = ("status", "decision_note", "changes_note", "withdraw_reason", "submitted_by", "submitted_at",
                       "decided_by", "decided_at", "created_by")  # fmt: skip
    list_select_related = ("request__operation",)
    inlines = [PledgeLineInline, K9TeamInline]


@admin.register(PledgeLine)
class PledgeLineAdmin(HistoryAdmin):
    list_display = (
        "id",
        "pledge",
        "specialty",
        "officers_offered",
        "officers_accepted",
        "available_from",
        "available_to",
        "legal_status",
        "armed",
        "powers",
    )
    list_filter = ("specialty", "legal_status", "armed", "powers")
    search_fields = ("pledge__request__country",)
    list_select_related = ("pledge__request", "specialty")


@admin.register(K9Team)
class K9TeamAdmin(HistoryAdmin):
    list_display = ("handler_name", "dog_name", "detection", "certification_expires_on", "legal_status", "armed",
                    "powers", "accepted", "pledge")  # fmt: skip
    list_filter = ("detection", "accepted", "legal_status", "armed", "powers")
    search_fields = ("handler_name", "dog_name", "pledge__request__country")
    list_select_related = ("pledge__request",)

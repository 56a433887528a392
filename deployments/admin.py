from django.contrib import admin

from core.admin import HistoryAdmin
from deployments.models import Assignment, Venue, VenueNeed, VenuePair


class VenueNeedInline(admin.TabularInline):
    model = VenueNeed
    extra = 0


@admin.register(Venue)
class VenueAdmin(HistoryAdmin):
    list_display = ("code", "name", "kind", "operation")
    list_filter = ("operation", "kind")
    search_fields = ("code", "name", "address")
    inlines = [VenueNeedInline]


@admin.register(VenueNeed)
class VenueNeedAdmin(HistoryAdmin):
    list_display = ("venue", "specialty", "starts_at", "ends_at", "quantity", "languages", "legal_status", "armed")
    list_filter = ("specialty", "venue__operation", "legal_status", "armed")
    search_fields = ("venue__code", "venue__name")
    list_select_related = ("venue", "specialty")


@admin.register(VenuePair)
class VenuePairAdmin(HistoryAdmin):
    list_display = ("venue_a", "venue_b", "minutes")
    list_filter = ("venue_a__operation",)
    search_fields = ("venue_a__code", "venue_b__code")
    list_select_related = ("venue_a", "venue_b")
    raw_id_fields = ("venue_a", "venue_b")


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    """Read-mostly: placements go through deployments.transitions so every SPEC §5 rule is checked."""

    list_display = ("id", "venue", "pledge_line", "quantity", "k9_team", "starts_at", "ends_at", "status")
    list_filter = ("status", "venue__operation")
    search_fields = ("venue__code", "role", "pledge__request__country")
    readonly_fields = ("pledge", "pledge_line", "quantity", "k9_team", "venue", "starts_at", "ends_at", "status",
                       "status_reason", "created_by")  # fmt: skip
    list_select_related = ("venue", "pledge_line__specialty", "k9_team")

    def has_add_permission(self, request):
        return False

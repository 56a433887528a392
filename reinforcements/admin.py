from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin
from reinforcements.models import (
    LiaisonProfile,
    Operation,
    ReinforcementRequest,
    RequestLine,
    Specialty,
    User,
)


class LiaisonProfileInline(admin.StackedInline):
    model = LiaisonProfile
    can_delete = False


@admin.register(User)
class ReinforcementsUserAdmin(UserAdmin):
    inlines = [LiaisonProfileInline]
    fieldsets = (*UserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))
    list_display = ("username", "email", "language", "is_staff", "is_superuser", "is_active")
    list_filter = ("groups", "language", "is_active", "is_superuser")


@admin.register(Operation)
class OperationAdmin(HistoryAdmin):
    list_display = ("code", "name", "host_country", "starts_on", "ends_on")
    search_fields = ("code", "name")


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "is_canine")
    list_filter = ("is_canine",)
    search_fields = ("code", "name_en", "name_fr")


class RequestLineInline(admin.TabularInline):
    model = RequestLine
    extra = 0


@admin.register(ReinforcementRequest)
class ReinforcementRequestAdmin(HistoryAdmin):
    list_display = ("operation", "country", "authority", "status", "response_due", "period_start", "period_end")
    list_filter = ("operation", "authority", "status")
    search_fields = ("country", "message", "internal_notes")
    readonly_fields = ("status", "status_reason", "sent_at")
    list_select_related = ("operation",)
    inlines = [RequestLineInline]


@admin.register(LiaisonProfile)
class LiaisonProfileAdmin(HistoryAdmin):
    list_display = ("user", "country", "phone")
    list_filter = ("country",)
    search_fields = ("user__username", "user__email", "country")
    list_select_related = ("user",)

from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "event", "channel", "status", "attempts", "sent_at", "read_at")
    list_filter = ("channel", "status", "event")
    search_fields = ("recipient__username", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ("recipient",)

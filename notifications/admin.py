from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Notification
from notifications.tasks import send_again


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "event", "channel", "status", "attempts", "sent_at", "read_at")
    list_filter = ("channel", "status", "event")
    search_fields = ("recipient__username", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ("recipient",)
    actions = ["send_failed_again"]

    @admin.action(description=_("Send failed emails again"))
    def send_failed_again(self, request, queryset):
        count = send_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d email queued again.", "%(n)d emails queued again.", count) % {"n": count},
            messages.SUCCESS,
        )

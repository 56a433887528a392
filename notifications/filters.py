"""FilterSets for a user's own notifications, shared by the API and the pages."""

import django_filters

from notifications.models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="unread only (true)")
    event = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = ["unread", "event"]

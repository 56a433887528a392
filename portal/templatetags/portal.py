import zoneinfo

from django import template

register = template.Library()


@register.filter
def in_zone(value, tz_name):
    """An instant as the venue's people read it: local time with the zone's abbreviation."""
    if not value:
        return ""
    return value.astimezone(zoneinfo.ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M %Z")

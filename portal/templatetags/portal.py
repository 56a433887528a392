import zoneinfo

from django import template

register = template.Library()


@register.filter
def in_zone(value, tz_name):
    """An instant as the venue's people read it: local time with the zone's abbreviation."""
    if not value:
        return ""
    return value.astimezone(zoneinfo.ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M %Z")


@register.filter
def widget_with_aria(field):
    """The field's widget tied to its error or help text, so a screen reader reads it out."""
    attrs = {}
    if field.errors:
        attrs = {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
    elif field.help_text:
        attrs = {"aria-describedby": f"{field.auto_id}-help"}
    return field.as_widget(attrs=attrs)


@register.filter
def in_zone_date(value, tz_name):
    """The local day of an instant, ISO (`2024-07-26`): the duty roster's URL."""
    return value.astimezone(zoneinfo.ZoneInfo(tz_name)).date().isoformat() if value else ""

"""Filters for the notification texts (notifications/messages.py loads them as builtins)."""

from django import template

from notifications import messages

register = template.Library()


@register.filter
def describe(obj) -> str:
    return messages.describe(obj)


@register.filter
def when(value) -> str:
    return messages.when(value) if value else ""


@register.filter
def decision(status: str) -> str:
    return str(messages.DECISION.get(status, status))

"""`{{ x|legal }}`: a line's or a K9 team's legal status as every page, roster and export words it
("Gendarmerie · armed · joint patrol", pledges.models.legal_status_text)."""

from django import template

from pledges.models import legal_status_text

register = template.Library()


@register.filter
def legal(value) -> str:
    """For a line, a team, an assignment (its line or team) or a dict with legal_status, armed and powers."""
    if isinstance(value, dict):
        return legal_status_text(value.get("legal_status"), value.get("armed"), value.get("powers"))
    source = getattr(value, "source", value)
    if source is None or not hasattr(source, "legal_status"):
        return ""
    return source.legal_status_text

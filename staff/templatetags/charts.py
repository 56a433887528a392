"""The dashboard's horizontal bar charts as SVG, from the geometry of staff.dashboard.bar_rows.

Written in Python, not as a template include: 30 countries of four bars each made some 1,200 template
variables and filters, half the page's rendering time. The texts (title, labels) are escaped here; the
rest are numbers computed by bar_rows and the fixed measure names. Numbers print as the template printed
them: integers without thousands separators, widths with a dot in every language (SVG needs it).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

register = template.Library()

LABEL_CHARS = 30


@register.simple_tag
def bar_chart(chart, title):
    title = escape(title)
    rows = "".join(_row(row, chart["width"]) for row in chart["rows"])
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {chart["width"] + 310} {chart["height"] + 4}" role="img"'
        f' aria-label="{title}">\n  <title>{title}</title>\n{rows}</svg>'
    )


def _row(row, width):
    label = row["label"]
    if len(label) > LABEL_CHARS:
        label = Truncator(label).chars(LABEL_CHARS)
    bars = "".join(
        f'<rect class="{bar["measure"]}" x="190" y="{bar["y"]}" width="{bar["w"]}" height="4">'
        f"<title>{bar['measure']}: {bar['value']}</title></rect>"
        for bar in row["bars"]
    )
    v = row["values"]
    return (
        f'  <g>\n    <text x="0" y="{row["text_y"]}">{escape(label)}</text>\n    {bars}\n'
        f'    <text x="{width + 196}" y="{row["text_y"]}" text-anchor="start" class="num">'
        f"{v['requested']}/{v['pledged']}/{v['accepted']}/{v['assigned']}</text>\n  </g>\n"
    )

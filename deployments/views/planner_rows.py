"""The planner's table of assignments, one HTML row each, written here rather than by the template engine:
a busy venue-day has two hundred rows, and the engine took about 0.17 ms a row (some 25 nodes), a third of
the page's time. The markup is the one `deployments/planner.html` had; every value is escaped here."""

from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# A pk no assignment has: the actions' URLs are reversed with it once per page, then filled in per row.
_ANY_PK = 9876543210
_MOVES = ("move", "start", "complete", "no_show", "cancel")


def rows_html(request, assignments, *, can_edit: bool) -> None:
    """Give each planner row (`_planner_assignments`' dicts) its HTML, `html`, with its actions for a
    coordinator (`can_edit`): move, check in, complete, no-show once the shift began, cancel."""
    text = {
        "who": _("Who"), "from": _("From"), "to": _("To"), "role": _("Role"), "status": _("Status"), "k9": _("K9"),
    }  # fmt: skip
    text = {key: esc(value) for key, value in text.items()}
    actions = _actions(request) if can_edit else None
    for a in assignments:
        conflict = f' class="conflict" title="{esc(a["conflict"])}"' if a["conflict"] else ""
        k9 = f' <span class="muted">({text["k9"]})</span>' if a["k9_team_id"] else ""
        reason = f' <span class="muted">{esc(a["status_reason"])}</span>' if a["status_reason"] else ""
        html = (
            f'<tr id="a{a["pk"]}">\n'
            f'      <td data-label="{text["who"]}"{conflict}>{esc(a["who"])}{k9}<br><small class="muted legal">'
            f"{esc(a['legal'])}</small></td>\n"
            f'      <td class="nowrap" data-label="{text["from"]}">{esc(a["from"])}</td><td class="nowrap" '
            f'data-label="{text["to"]}">{esc(a["to"])}</td><td data-label="{text["role"]}">{esc(a["role"])}</td>\n'
            f'      <td data-label="{text["status"]}"><span class="status s-{esc(a["status"])}">'
            f"{esc(a['status_label'])}</span>{reason}</td>\n"
        )
        if actions is not None:
            html += actions(a)
        a["html"] = mark_safe(html + "    </tr>")


def _actions(request):
    """The actions cell of a row, as a function of the row: the URLs reversed and the words translated once."""
    urls = {move: reverse(f"assignment_{move}", args=[_ANY_PK]).replace(str(_ANY_PK), "{pk}") for move in _MOVES}
    csrf = csrf_input(request)  # what {% csrf_token %} writes
    move, check_in, complete = esc(_("Move")), esc(_("Check in")), esc(_("Complete"))
    no_show, no_show_yes = esc(_("No-show")), esc(_("Yes, nobody reported for duty"))
    cancel, reason, cancel_yes = (
        esc(_("Cancel")),
        esc(_("Reason (the country is told)")),
        esc(_("Yes, cancel the assignment")),
    )

    def cell(a) -> str:
        can, pk = a["can"], a["pk"]
        url = {name: esc(pattern.format(pk=pk)) for name, pattern in urls.items()}
        parts = ["      <td>\n        "]
        if can["move"]:
            parts.append(
                f'<details class="confirm" hx-get="{url["move"]}" hx-trigger="toggle once" hx-target="find .move-form">'
                f'<summary>{move}…</summary>\n          <div class="move-form"><a href="{url["move"]}">{move}…</a>'
                "</div></details>"
            )
        parts.append("\n        ")
        if can["start"]:
            parts.append(
                f'<form method="post" action="{url["start"]}" class="inline">{csrf}<button>{check_in}</button></form>'
            )
        parts.append("\n        ")
        if can["complete"]:
            parts.append(
                f'<form method="post" action="{url["complete"]}" class="inline">{csrf}<button>{complete}</button></form>'
            )
        parts.append("\n        ")
        if can["no_show"] and a["has_started"]:
            parts.append(
                f'<details class="confirm"><summary>{no_show}…</summary>\n          <form method="post" '
                f'action="{url["no_show"]}">{csrf}\n            <button class="danger">{no_show_yes}</button>\n'
                "          </form></details>"
            )
        parts.append("\n        ")
        if can["cancel"]:
            parts.append(
                f'<details class="confirm"><summary>{cancel}…</summary>\n          <form method="post" '
                f'action="{url["cancel"]}">{csrf}\n            <label>{reason}<textarea name="reason" rows="2" required>'
                f'</textarea></label>\n            <button class="danger">{cancel_yes}</button>\n          </form></details>'
            )
        parts.append("\n      </td>\n")
        return "".join(parts)

    return cell

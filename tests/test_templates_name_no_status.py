"""No template writes a status: what a state allows comes from the model's MOVES table (`obj.can.<move>`)
or a named property, so a new state or move changes one table, not the pages."""

import re
from pathlib import Path

from deployments.models import Assignment
from notifications.models import Notification
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest

ROOT = Path(__file__).resolve().parent.parent
STATUSES = {
    value for model in (ReinforcementRequest, Pledge, Assignment, Notification) for value in model.Status.values
}
TAG = re.compile(r"\{[%{](.*?)[%}]\}", re.DOTALL)
QUOTED = re.compile(r"""(["'])(\w+)\1""")
COMPARED = re.compile(r"\bstatus\s*(==|!=|\bin\b)")
WORDS = {"translate", "trans", "blocktranslate", "blocktrans"}  # a label may say "accepted"


def templates():
    return [
        path
        for path in ROOT.rglob("*.html")
        if "templates" in path.parts and ".venv" not in path.parts and "node_modules" not in path.parts
    ]


def status_literals(text: str) -> list[str]:
    found = []
    for tag in TAG.findall(text):
        if tag.split()[0] in WORDS:
            continue
        found += [value for _quote, value in QUOTED.findall(tag) if value in STATUSES]
        found += [f"status {op}" for op in COMPARED.findall(tag)]
    return found


def test_the_scan_finds_a_status_written_in_a_template():
    text = """{% if pledge.status == "submitted" %}{% translate "accepted" %}{% endif %}{{ a|default:'planned' }}"""

    assert status_literals(text) == [
        "submitted",
        "status ==",
        "planned",
    ]


def test_no_template_compares_or_names_a_status():
    found = {str(path.relative_to(ROOT)): hits for path in templates() if (hits := status_literals(path.read_text()))}

    assert len(templates()) > 30
    assert found == {}

"""The shape of the code (issue 13): small modules, and every package the README's code map names."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "config",
    "server",
    "staff",
    "portal",
    "demo",
    "accounts",
    "deployments",
    "pledges",
    "reinforcements",
    "notifications",
    "core",
]
MAX_LINES = 500


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}

    assert long == {}


def test_the_readme_code_map_names_every_package_and_nothing_else():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Code map", 1)[1].split("\n## ", 1)[0]

    named = set(re.findall(r"^\| `(\w+)/`", section, flags=re.M))

    assert named == set(APPS)

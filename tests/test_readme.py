"""Every command the README shows works as typed (issue 17): each ```sh block is run with bash from
the repository's root, as a reader would in a second terminal, unless an HTML comment right above
it says `<!-- readme-test: skip (why) -->` (a block that serves until Ctrl-C, needs docker, or talks
to the server `make run` serves). The commands are read from README.md, never copied here."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from server.services import with_database

ROOT = Path(__file__).resolve().parent.parent
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->")


def blocks() -> list[tuple[int, str, str | None]]:
    """(line of the opening fence, the block's text, why it is skipped or None), in README order."""
    lines = (ROOT / "README.md").read_text().splitlines()
    found, number = [], 0
    while number < len(lines):
        if lines[number].strip() in ("```sh", "```bash", "```shell"):
            end = lines.index("```", number + 1)
            previous = next((text for text in reversed(lines[:number]) if text.strip()), "")
            skip = SKIP.search(previous)
            found.append((number + 1, "\n".join(lines[number + 1 : end]) + "\n", skip.group("why") if skip else None))
            number = end
        number += 1
    return found


def url_of_this_runs_database(database: dict) -> str:
    """The URL of this run's test database: the run's own DATABASE_URL (a TCP address, or the embedded
    server's socket directory as `?host=`) with the test database's name in it."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return with_database(url, database["NAME"])
    host = database["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{database['USER']}@/{database['NAME']}?host={host}&port={database['PORT'] or 5432}"
    return f"postgres://{database['USER']}:{database['PASSWORD']}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


RUNNABLE = [(line, body) for line, body, why in blocks() if why is None]


def test_every_shell_block_is_run_or_says_why_not():
    assert len(blocks()) >= 5
    assert RUNNABLE, "no README block is checked"
    assert all(why.strip() for _line, _body, why in blocks() if why is not None)


@pytest.mark.django_db
@pytest.mark.parametrize(("line", "body"), RUNNABLE, ids=[f"README.md:{line}" for line, _ in RUNNABLE])
def test_a_readme_block_works_as_typed(line, body, settings):
    # A reader's shell: no DEBUG or test variables; the database is this run's test database, so
    # that what the commands write never touches a developer's data.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DEBUG"))}
    env["DATABASE_URL"] = url_of_this_runs_database(settings.DATABASES["default"])

    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", body], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, f"README.md line {line}:\n{body}\n{result.stdout}\n{result.stderr}"

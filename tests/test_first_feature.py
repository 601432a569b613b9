"""The generated docs/first-feature.md, followed as a reader would, in a bake with every
answer off (so it needs none of the optional parts).

Each fenced block is named by the line before it (its last name in
backquotes): a ``diff`` block changes that file (its context and ``-``
lines must be there, once), a ``sh`` block's lines are run from the
project's root, any other block is a new file. Only the guide's own test
and the lint run, not the bake's whole suite.
"""

import re
import subprocess
import sys

import pytest

from helpers.baking import bake
from helpers.processes import COMMAND_TIMEOUT, describe, project_env

ALL_OFF = {
    "use_api": False,
    "use_example_notes": False,
    "use_realtime": False,
    "use_uploads": False,
    "use_admin": False,
}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
NAMED_PATH = re.compile(r"`([\w./-]+)`")


def blocks(guide):
    """``(language, path or None, text)`` of each fenced block, in the page's order."""
    for match in FENCE.finditer(guide):
        before = guide[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        named = NAMED_PATH.findall(before)
        yield match.group(1), named[-1] if named else None, match.group(2)


def apply_diff(path, diff):
    """Replace the diff's old lines (context and ``-``) with its new ones (context and ``+``)."""
    old, new = [], []
    for line in diff.splitlines():
        sign, text = line[:1], line[1:]
        if sign in (" ", "-"):
            old.append(text)
        if sign in (" ", "+"):
            new.append(text)
    source = path.read_text(encoding="utf-8")
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    assert source.count(before) == 1, f"{path.name} no longer has, once:\n{before}"
    path.write_text(source.replace(before, after), encoding="utf-8")


def run_line(project, line):
    """Run one command of the guide from the project's root; fail with its output."""
    # The guide's own commands, run through the shell as a reader types them.
    result = subprocess.run(
        line,
        shell=True,
        cwd=project,
        env=project_env(PYTHONPATH=str(project)),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{line}\n{describe(result)}"


@pytest.fixture
def project(tmp_path):
    """An all-off bake whose ``.venv`` is this interpreter's (it has every tool a bake uses)."""
    baked = bake(tmp_path, ALL_OFF).path
    (baked / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return baked


def test_the_first_feature_guide_works_in_a_bake_without_the_optional_parts(project):
    guide = (project / "docs" / "first-feature.md").read_text(encoding="utf-8")
    followed = {"new files": 0, "changes": 0, "commands": 0}
    for language, named, text in blocks(guide):
        if language == "sh":
            for line in text.splitlines():
                if line.strip() and not line.startswith("#"):
                    run_line(project, line)
                    followed["commands"] += 1
            continue
        assert named, f"a {language} block names no file in the line before it:\n{text}"
        path = project / named
        if language == "diff":
            apply_diff(path, text)
            followed["changes"] += 1
        else:
            assert not path.exists(), f"the guide creates {named}, which the bake already has"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            followed["new files"] += 1

    assert followed == {"new files": 6, "changes": 3, "commands": 9}
    assert list((project / "migrations" / "versions").glob("*_add_bookmarks.py"))


def test_the_readme_links_the_guide(project):
    assert "docs/first-feature.md" in (project / "README.md").read_text(encoding="utf-8")

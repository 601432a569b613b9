"""Updating a project to a newer template: .cruft.json, and ``cruft update`` for real.

Each bake records the template, its commit and the answers in .cruft.json,
the file cruft reads. The update tests make a git repository of this
template with an older commit (two lines as they might have been) and the
current one, bake from the older, commit the project as a user would, and
run ``cruft update`` to the current one.
"""

import json
import shutil

import pytest

from helpers.baking import TEMPLATE_DIR, bake
from helpers.processes import describe, project_env, run_command
from helpers.tools import run_tool

PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"
# What the older commit had instead, in files the update must change.
OLDER_LINES = {
    "Makefile": ("# Everyday commands. `make` alone lists them.", "# Everyday commands."),
    "docs/testing.md": ("# Tests", "# Testing"),
}
# Local to each copy of a project, never compared.
LOCAL = {".git", ".env", ".cruft.json", ".venv", "instance"}
NOT_IN_THE_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "build", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def git(directory, *args):
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    result = run_command(directory, ["git", *identity, *args], env=None)
    assert result.returncode == 0, describe(result)
    return result.stdout


def test_a_bake_records_the_template_its_commit_and_the_answers(default_bake):
    state = json.loads((default_bake.path / ".cruft.json").read_text(encoding="utf-8"))
    answers = {k: v for k, v in default_bake.context.items() if not k.startswith("_")}
    inside_git = (TEMPLATE_DIR / ".git").exists()

    assert state["template"] == str(TEMPLATE_DIR)
    if inside_git:
        assert state["commit"] == git(TEMPLATE_DIR, "rev-parse", "HEAD").strip()
    assert state["context"]["cookiecutter"] == {
        **answers,
        "_template": str(TEMPLATE_DIR),
        "_commit": state["commit"],
    }
    assert state["directory"] is None
    assert "_output_dir" not in json.dumps(state)  # nothing about the machine that baked it


@pytest.fixture
def template_repo(tmp_path):
    """A git repository of this template: ``older`` (OLDER_LINES in place), then ``current``."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, repo, ignore=NOT_IN_THE_TEMPLATE)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "current")
    for name, (current, older) in OLDER_LINES.items():
        path = repo / PROJECT_TEMPLATE / name
        text = path.read_text(encoding="utf-8")
        assert current in text, f"{name} no longer has {current!r}: update OLDER_LINES"
        path.write_text(text.replace(current, older, 1), encoding="utf-8")
    git(repo, "commit", "--quiet", "--all", "--message", "older")
    older = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "revert", "--no-edit", "HEAD")  # back to the current template, as a new commit
    current = git(repo, "rev-parse", "HEAD").strip()
    return repo, older, current


def baked_at(repo, commit, directory):
    """A project baked from ``repo`` at ``commit``, committed as the user's first commit."""
    git(repo, "checkout", "--quiet", commit)
    project = bake_from(repo, directory)
    git(repo, "checkout", "--quiet", "main")
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Baked")
    return project


def bake_from(repo, directory):
    """Bake ``repo``'s checked-out template through cookiecutter's API."""
    return bake(directory, template=repo).path


def files_of(project):
    """``{relative path: bytes}`` of a project, minus what is local to each copy."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not LOCAL & set(path.relative_to(project).parts)
    }


def cruft_update(project):
    return run_tool("cruft", "update", "--skip-apply-ask", cwd=project, env=project_env())


def test_an_untouched_project_updates_cleanly_to_what_a_fresh_bake_is(template_repo, tmp_path):
    repo, older, current = template_repo
    project = baked_at(repo, older, tmp_path / "project")
    fresh = bake_from(repo, tmp_path / "fresh")

    result = cruft_update(project)

    assert result.returncode == 0, describe(result)
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""
    assert files_of(project) == files_of(fresh)
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == current
    check = run_tool("cruft", "check", cwd=project, env=project_env())
    assert check.returncode == 0, describe(check)
    # Byte for byte a fresh bake of the current template, whose whole suite
    # passes in test_baked_project.py: so the updated project's suite passes.


def test_a_local_change_where_the_template_changed_stops_as_a_conflict(template_repo, tmp_path):
    repo, older, _ = template_repo
    project = baked_at(repo, older, tmp_path / "project")
    makefile = project / "Makefile"
    ours = "# Our own commands."
    older_line = OLDER_LINES["Makefile"][1]
    makefile.write_text(makefile.read_text(encoding="utf-8").replace(older_line, ours), "utf-8")
    git(project, "commit", "--quiet", "--all", "--message", "Our Makefile")

    result = cruft_update(project)

    assert result.returncode == 0, describe(result)
    assert git(project, "diff", "--name-only", "--diff-filter=U").split() == ["Makefile"]
    text = makefile.read_text(encoding="utf-8")
    assert f"<<<<<<< ours\n{ours}\n=======\n{OLDER_LINES['Makefile'][0]}\n>>>>>>> theirs" in text
    # The template's other change, in a file without local changes, is in.
    testing = (project / "docs" / "testing.md").read_text(encoding="utf-8")
    assert testing.startswith(OLDER_LINES["docs/testing.md"][0])

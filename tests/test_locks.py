"""uv.lock: in step with each bake's dependencies, and with the template's own venv.

The project template's uv.lock is written by scripts/lock.py (``make lock``):
one ``uv lock`` per set of answers, merged into one Jinja template. These
tests fail when it has gone stale.
"""

import json
import re
import tomllib

from helpers.baking import TEMPLATE_DIR
from helpers.processes import describe
from helpers.tools import run_tool


def test_the_lock_file_is_what_uv_makes_of_the_dependencies(answer_set):
    """``--check`` compares the lock with what the bake's pyproject.toml asks for,
    offline: it needs no package index when they agree."""
    result = run_tool("uv", "lock", "--check", "--offline", cwd=answer_set.bake.path)

    assert result.returncode == 0, describe(result)


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def template_venv_pins():
    """``{name: version}`` of requirements-dev.txt."""
    pins = {}
    for line in (TEMPLATE_DIR / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[\w,]+\])?==(\S+)$", line.strip())
        if match:
            pins[normalized(match.group(1))] = match.group(2)
    return pins


def test_the_template_venv_pins_what_the_lock_pins(default_bake):
    """Most generated suites run in the template's venv: the versions must be the lock's.

    A package the lock pins at several versions (one per Python version) is
    left out: the venv has the one for this Python.
    """
    with (default_bake.path / "uv.lock").open("rb") as file:
        packages = tomllib.load(file)["package"]
    versions = {}
    for package in packages:
        if "version" in package and package.get("source", {}).get("registry"):
            versions.setdefault(package["name"], set()).add(package["version"])
    pins = template_venv_pins()

    differing = {
        name: (only.pop(), pins[name])
        for name, only in versions.items()
        if len(only) == 1 and name in pins and pins[name] not in only
    }
    assert differing == {}, f"{{name: (lock, requirements-dev.txt)}}: {differing}"


def test_the_template_tests_with_the_uv_the_bakes_pin():
    answers = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))

    assert template_venv_pins()["uv"] == answers["_uv_version"]

"""Write the project template's uv.lock: one lock file for every set of answers.

A baked project's uv.lock must be exactly what ``uv lock`` makes of that
project's pyproject.toml, and the dependencies differ by answer (no boto3
without uploads, no schemathesis without the API...). So this script bakes
every answer set the pre-generation hook accepts, runs ``uv lock`` once per
distinct dependency list, and merges the lock files into one Jinja template:
a ``[[package]]`` entry found in every lock is written as it is, one found in
some is wrapped in ``{% if %}`` on the answers that decide it.

Run it after changing a dependency in the project template's pyproject.toml
(``make lock``); ``tests/test_locks.py`` fails while the lock is stale.
Each lock starts from the current one, so only what must change, changes;
``--upgrade`` moves every package to the newest version allowed.
"""

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
LOCK_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "uv.lock"
# The root package's name in a default bake, and what a bake writes there instead.
DEFAULT_NAME = 'name = "flask-forge-app"'
NAME_EXPRESSION = "name = \"{{ cookiecutter.project_slug | replace('_', '-') }}\""
HEADER = (
    "{#- Written by scripts/lock.py from one `uv lock` per set of answers: do not edit."
    " Run `make lock` after changing a dependency. -#}\n"
)
ENTRY_START = "\n[[package]]\n"


def boolean_answers():
    """The yes/no questions of cookiecutter.json, by name."""
    answers = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return [name for name, value in answers.items() if isinstance(value, bool)]


def dependency_key(project):
    """What ``uv lock`` reads from a project: its dependencies and Python versions."""
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return json.dumps(
        [meta["requires-python"], meta["dependencies"], meta.get("optional-dependencies")],
        sort_keys=True,
    )


def bake(answers, output_dir):
    """The project for ``answers``, or None when the pre-generation hook refuses them."""
    try:
        return Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context=answers,
                output_dir=str(output_dir),
                accept_hooks=True,
            )
        )
    except FailedHookException:
        return None


def split_entries(lock_text):
    """The header and the ``[[package]]`` entries (each with the blank line before it)."""
    header, *rest = lock_text.split(ENTRY_START)
    return header, [ENTRY_START + entry for entry in rest]


def entry_name(entry):
    """The package an entry is about (its first line after ``[[package]]``)."""
    return entry.split("\n")[2]


def literal(name, value):
    return f"cookiecutter.{name}" if value else f"not cookiecutter.{name}"


def condition(present, combos, names):
    """A Jinja condition true for the answer sets in ``present``, among ``combos``.

    Looks for the fewest answers that decide it (answer sets the hook refuses
    do not count), then writes the shortest form: one answer, two joined by
    ``and``/``or``, else one clause per deciding combination.
    """
    for size in range(len(names) + 1):
        for subset in itertools.combinations(names, size):
            table = {}
            consistent = True
            for combo in combos:
                key = tuple(combo[names.index(name)] for name in subset)
                if table.setdefault(key, combo in present) != (combo in present):
                    consistent = False
                    break
            if consistent:
                return simplest(subset, table)
    raise AssertionError("unreachable: all answers together decide every entry")


def simplest(subset, table):
    """The shortest expression for ``table`` (values of ``subset`` -> present)."""
    true_rows = [key for key, present in table.items() if present]
    if len(true_rows) == len(table):
        return None
    candidates = []
    for i, name in enumerate(subset):
        for value in (True, False):
            rows = [key for key in table if key[i] == value]
            if sorted(rows) == sorted(true_rows):
                candidates.append(literal(name, value))
    if not candidates and len(subset) >= 2:
        for (i, a), (j, b) in itertools.combinations(enumerate(subset), 2):
            for va, vb in itertools.product((True, False), repeat=2):
                both = [k for k in table if k[i] == va and k[j] == vb]
                either = [k for k in table if k[i] == va or k[j] == vb]
                if sorted(both) == sorted(true_rows):
                    candidates.append(f"{literal(a, va)} and {literal(b, vb)}")
                if sorted(either) == sorted(true_rows):
                    candidates.append(f"{literal(a, va)} or {literal(b, vb)}")
    if candidates:
        return min(candidates, key=len)
    clauses = [
        "("
        + " and ".join(literal(name, value) for name, value in zip(subset, row, strict=True))
        + ")"
        for row in sorted(true_rows)
    ]
    return " or ".join(clauses)


def merge(locks, names):
    """One Jinja template giving each answer set's lock text exactly."""
    combos = list(locks)
    parts = [split_entries(locks[combo]) for combo in combos]
    # Each distinct text, in the order of first appearance across the locks,
    # keeping every lock's own order (uv sorts entries by name, then version).
    order, seen = [], set()
    header_variants = {}
    for combo, (header, entries) in zip(combos, parts, strict=True):
        header_variants.setdefault(header, set()).add(combo)
        for entry in entries:
            if entry not in seen:
                seen.add(entry)
                order.append(entry)
    first_seen = {entry: position for position, entry in enumerate(order)}
    order.sort(key=lambda entry: (entry_name(entry), first_seen[entry]))
    present = {entry: set() for entry in order}
    for combo, (_, entries) in zip(combos, parts, strict=True):
        for entry in entries:
            present[entry].add(combo)
    out = [HEADER]
    for header, where in header_variants.items():
        out.append(wrapped(header, condition(where, combos, names)))
    for entry in order:
        out.append(wrapped(entry, condition(present[entry], combos, names)))
    return "".join(out)


def wrapped(text, jinja_condition):
    if jinja_condition is None:
        return text
    return "{% if " + jinja_condition + " %}" + text + "{% endif %}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uv", default=shutil.which("uv") or "uv", help="the uv to run")
    parser.add_argument(
        "--upgrade", action="store_true", help="newest allowed versions of every package"
    )
    args = parser.parse_args()
    uv = str(Path(args.uv).resolve()) if "/" in args.uv else args.uv
    names = boolean_answers()
    locks_by_key, locks = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for number, values in enumerate(itertools.product((True, False), repeat=len(names))):
            answers = dict(zip(names, values, strict=True))
            project = bake(answers, Path(tmp) / str(number))
            if project is None:
                continue
            key = dependency_key(project)
            if key not in locks_by_key:
                # The bake holds the current template's lock for these answers: uv
                # keeps its versions unless told to upgrade.
                upgrade = ["--upgrade"] if args.upgrade else []
                subprocess.run([uv, "lock", "--quiet", *upgrade], cwd=project, check=True)
                text = (project / "uv.lock").read_text(encoding="utf-8")
                assert DEFAULT_NAME in text, "bake with the default project name"
                for marker in ("{{", "{%", "{#"):
                    assert marker not in text, f"{marker} in a lock file: escape it"
                locks_by_key[key] = text
                print(f"locked {answers}", file=sys.stderr)
            locks[values] = locks_by_key[key]
    # The root package (the project itself) is named after the slug.
    template = merge(locks, names).replace(DEFAULT_NAME, NAME_EXPRESSION)
    LOCK_TEMPLATE.write_text(template, encoding="utf-8")
    print(f"wrote {LOCK_TEMPLATE.relative_to(TEMPLATE_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Fixtures shared by the template's tests.

Baking takes a fraction of a second, but running a bake (its tests, its
migrations, a server) does not, so each bake is made once per session and
shared. A bake that tests only read is never used to run anything, so files
a run leaves behind (SQLite files, session files, caches) cannot change what
the file scans see.
"""

from dataclasses import dataclass

import pytest

from helpers.baking import Bake, bake

# Answer sets baked in addition to the defaults, as (answers, expected slug).
# Together they cover every prompt, the python_version choices, names that
# need escaping in Python, TOML and HTML, a slug given explicitly, and each
# answer that removes a part (cookiecutter-django's way: one at a time, plus
# the pair that interacts, rather than every combination).
ANSWER_SETS = {
    "default": ({}, "flask_forge_app"),
    "acme-billing": ({"project_name": "Acme Billing"}, "acme_billing"),
    "python-3.11": ({"python_version": "3.11"}, "flask_forge_app"),
    "python-3.13": ({"python_version": "3.13"}, "flask_forge_app"),
    "unicode-apostrophe": ({"project_name": "Zoë's Shop"}, "zoe_s_shop"),
    "custom-slug": ({"project_name": "Acme Billing", "project_slug": "billing2"}, "billing2"),
    "quotes-and-backslashes": (
        {
            "project_name": 'Bob "The Builder" \\ Co',
            "description": 'Says "hi" \\ and {braces}; it\'s fine.',
            "author_name": "Seán O'Brien",
            "email": "sean.obrien@example.org",
            "domain": "shop.example.org",
        },
        "bob_the_builder_co",
    ),
    # The answers that remove parts: each alone, and together.
    "no-api": ({"use_api": False}, "flask_forge_app"),
    # The notes off needs live updates off too (the pre-generation hook refuses the rest).
    "no-notes": ({"use_example_notes": False, "use_realtime": False}, "flask_forge_app"),
    "no-realtime": ({"use_realtime": False}, "flask_forge_app"),
    "no-uploads": ({"use_uploads": False}, "flask_forge_app"),
    "no-admin": ({"use_admin": False}, "flask_forge_app"),
    "minimal": (
        {
            "use_api": False,
            "use_example_notes": False,
            "use_realtime": False,
            "use_uploads": False,
            "use_admin": False,
        },
        "flask_forge_app",
    ),
    "benchmark": ({"use_benchmark": True}, "flask_forge_app"),
}


@dataclass(frozen=True)
class AnswerSet:
    """An answer set, the slug it should produce, and its bake."""

    name: str
    answers: dict
    slug: str
    bake: Bake


@pytest.fixture(scope="session")
def bake_into(tmp_path_factory):
    """Bake the template into a new temporary directory named after ``purpose``."""

    def bake_for(purpose, **answers):
        return bake(tmp_path_factory.mktemp(purpose), answers)

    return bake_for


@pytest.fixture(scope="session")
def default_bake(bake_into):
    """A bake with every default answer, only ever read (never run)."""
    return bake_into("default")


@pytest.fixture(scope="session")
def another_default_bake(bake_into):
    """A second default bake, to compare the secrets it was given."""
    return bake_into("default-again")


@pytest.fixture(scope="session", params=list(ANSWER_SETS), ids=list(ANSWER_SETS))
def answer_set(request, bake_into):
    """Each answer set's bake (read only), with its answers and expected slug."""
    answers, slug = ANSWER_SETS[request.param]
    return AnswerSet(request.param, answers, slug, bake_into(f"answers-{request.param}", **answers))


# The answer sets that differ in their parts (the others differ only in names).
PART_ANSWER_SETS = [
    "default",
    "no-api",
    "no-notes",
    "no-realtime",
    "no-uploads",
    "no-admin",
    "minimal",
    "benchmark",
]


@pytest.fixture(scope="session", params=PART_ANSWER_SETS, ids=PART_ANSWER_SETS)
def parts_answer_set(request, bake_into):
    """Each set of parts' bake (read only), for checks that names cannot change (mypy)."""
    answers, slug = ANSWER_SETS[request.param]
    return AnswerSet(request.param, answers, slug, bake_into(f"parts-{request.param}", **answers))


@pytest.fixture(params=PART_ANSWER_SETS, ids=PART_ANSWER_SETS)
def fresh_parts_answer_set(request, bake_into):
    """Each set of parts' bake, made for this test alone (it may run and write in it)."""
    answers, slug = ANSWER_SETS[request.param]
    return AnswerSet(request.param, answers, slug, bake_into(f"fresh-{request.param}", **answers))


# --- handing the tests to the cores ----------------------------------------------


def pytest_collection_modifyitems(items):
    """Hand the tests to pytest-xdist's workers a module at a time, the generated suites first.

    ``--dist loadgroup`` (pyproject.toml) keeps a group on one worker. A
    module's tests share bakes and servers (module-scoped fixtures), so a
    module is a group; each generated suite is a group of its own, and they
    start first, longest first (helpers/suites.py), so that the many short
    modules fill the cores in at the end.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(key=lambda item: item.get_closest_marker("generated_suite") is None)

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
from helpers.suites import SUITE_ANSWER_SETS, SUITE_RUNS, start_suites

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


# --- the generated suites, in the background -----------------------------------


def pytest_collection_modifyitems(items):
    """The tests that wait for the generated suites come last (the order is otherwise kept)."""
    items.sort(key=lambda item: item.get_closest_marker("waits_for_suites") is not None)


@pytest.fixture(scope="session")
def suite_results(bake_into):
    """Each generated suite's future, on a bake of its own (helpers/suites.py)."""
    bakes = {
        name: bake_into(f"suite-{name}", **SUITE_ANSWER_SETS[name]).path for name in SUITE_RUNS
    }
    pool, futures = start_suites(bakes)
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session", autouse=True)
def generated_suites_in_the_background(request):
    """Start the generated suites with the session when it checks them, so the
    other template tests run meanwhile instead of after them."""
    if any(item.get_closest_marker("waits_for_suites") for item in request.session.items):
        request.getfixturevalue("suite_results")

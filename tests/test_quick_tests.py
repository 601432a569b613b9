"""A baked project's quick loop: ``make test-quick`` leaves out the slow tests and passes.

The slow tests (fuzzing, servers on a port, gunicorn and Chromium,
subprocesses) are marked ``slow``: by the module (``pytestmark``), by the
test, or by tests/conftest.py for every test using a server's fixture. The
quick run is on SQLite and fakeredis, as a developer runs it; how long it
takes is not asserted (it depends on the machine).
"""

import re
import sys
from pathlib import Path

import pytest

from helpers.processes import describe, project_env, run

# What a quick run must never hold: whole directories or modules of slow tests,
# and single slow tests in modules that are otherwise quick.
SLOW_PLACES = (
    "tests/api/test_fuzz.py::",
    "tests/browser/",
    "tests/realtime/test_bearer.py::",
    "tests/realtime/test_delivery.py::",
    "tests/realtime/test_session_end.py::",
    "tests/notes/test_notes_api.py::test_the_notes_api_never_fails",
    "tests/test_config.py::test_manage_py_refuses_bad_production_settings",
    "tests/test_rate_limits.py::test_a_default_limit_in_the_config_applies_to_every_page",
)
# The generated suite on its own SQLite and fakeredis, never on given servers.
QUICK_ENV = {"TEST_DATABASE_URL": None, "TEST_REDIS_URL": None}
SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|deselected|errors?)\b")


@pytest.fixture(scope="module")
def project(bake_into):
    """A default bake, whose every part has slow tests."""
    return bake_into("quick-tests").path


def collected(project, *args):
    """The node ids ``pytest --collect-only`` finds in ``project`` with ``args``."""
    result = run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", "--no-cov", *args),
        env=project_env(**QUICK_ENV),
    )
    assert result.returncode == 0, describe(result)
    return {line for line in result.stdout.splitlines() if "::" in line}


def counts(output):
    """``{"passed": 1078, "deselected": 55, ...}`` from pytest's last line."""
    return {kind.rstrip("s"): int(number) for number, kind in SUMMARY.findall(output)}


def in_slow_place(node_id):
    """Whether a test is in one of the ``SLOW_PLACES``."""
    return node_id.startswith(SLOW_PLACES)


def test_the_slow_places_hold_slow_tests_and_only_they_are_marked_out(project):
    everything = collected(project)
    quick = collected(project, "-m", "not slow")
    slow = collected(project, "-m", "slow")

    assert quick | slow == everything
    assert not quick & slow
    for place in SLOW_PLACES:
        assert any(node.startswith(place) for node in slow), f"nothing slow in {place}"
    assert not [node for node in quick if in_slow_place(node)]
    # Most of the suite stays in the quick loop.
    assert len(quick) > 10 * len(slow)


def test_make_test_quick_passes_and_runs_fewer_tests_than_the_full_suite(project):
    everything = collected(project)
    bin_dir = Path(sys.executable).parent
    # `-o install` and BIN: this interpreter's tools, rather than a .venv built
    # for the project. (run() starts Python, so Python starts make.)
    result = run(
        project,
        *("-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"),
        *("make", "--no-print-directory", "-o", "install", "test-quick", f"BIN={bin_dir}"),
        env=project_env(**QUICK_ENV),
        timeout=1200,
    )

    assert result.returncode == 0, describe(result)
    ran = counts(result.stdout.strip().splitlines()[-1])
    assert ran.get("passed", 0) > 0, describe(result)
    # The slow tests were left out (pytest-xdist's summary does not count them as deselected).
    assert ran["passed"] + ran.get("skipped", 0) < len(everything), describe(result)
    assert "failed" not in ran, describe(result)
    # The coverage gate is off for a partial run.
    assert "Required test coverage" not in result.stdout, describe(result)

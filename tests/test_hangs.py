"""A baked project's test run cannot hang, and a killed run leaves no server behind.

pytest-timeout gives each generated test a time limit (the bake's
pyproject.toml): a test still running then fails, naming itself and where it
waited, and the run goes on. The servers a generated test starts
(tests/processes.py: the browser tests' gunicorn instances) die with pytest
even when pytest is killed with SIGKILL, which runs no teardown.

The tests below add a test made to hang (or to start a server and wait) to a
default bake and run the bake's own pytest on it, without PostgreSQL or Redis.
"""

import os
import signal
import sys
import time
import tomllib
from pathlib import Path

import pytest

from helpers.processes import (
    describe,
    free_port,
    project_env,
    run,
    server_log,
    start_server,
    wait_for_http,
)

# The limit the hanging test is run with (`-o timeout=`), to keep this quick.
LIMIT_SECONDS = 5
# How long the killed run's server may take to go: gunicorn's graceful timeout
# in the bake's test (5 s), and slack for a loaded machine.
GONE_WITHIN_SECONDS = 30

MADE_TO_HANG = """\
import time


def test_made_to_hang():
    time.sleep(600)


def test_after_the_hang():
    assert True
"""

# A WSGI app for gunicorn that needs no database: only the process handling is under test.
TINY_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"up"]
"""

STARTS_A_SERVER_AND_WAITS = """\
import os
import subprocess
import sys
import time
from pathlib import Path

from tests import processes


def test_starts_a_server_then_waits():
    env = {**os.environ, "PORT": os.environ["HANG_PORT"], "GUNICORN_GRACEFUL_TIMEOUT": "5"}
    server = processes.start(
        [sys.executable, "-m", "gunicorn", "tiny_app:app"], env=env, stdin=subprocess.DEVNULL
    )
    Path(os.environ["HANG_PID_FILE"]).write_text(str(server.pid))
    time.sleep(600)
"""


@pytest.fixture(scope="module")
def project(bake_into):
    return bake_into("hangs").path


def test_the_bake_sets_a_per_test_time_limit_with_pytest_timeout(project):
    with (project / "pyproject.toml").open("rb") as file:
        pyproject = tomllib.load(file)
    settings = pyproject["tool"]["pytest"]["ini_options"]

    assert isinstance(settings["timeout"], int)
    assert 0 < settings["timeout"] <= 300
    # The signal method fails the one test and goes on; the thread method ends the run.
    assert settings["timeout_method"] == "signal"
    assert any(
        requirement.startswith("pytest-timeout")
        for requirement in pyproject["project"]["optional-dependencies"]["dev"]
    )
    assert "@pytest.mark.timeout" in (project / "README.md").read_text()


def test_a_hanging_test_fails_naming_itself_and_the_run_goes_on(project):
    (project / "tests" / "test_made_to_hang.py").write_text(MADE_TO_HANG)
    try:
        # run() fails the test should the command itself outlive its own time limit.
        result = run(
            project,
            *("-m", "pytest", "tests/test_made_to_hang.py", "-p", "no:cacheprovider"),
            *("--no-cov", "-o", f"timeout={LIMIT_SECONDS}"),
            env=project_env(TEST_DATABASE_URL=None, TEST_REDIS_URL=None),
        )
    finally:
        (project / "tests" / "test_made_to_hang.py").unlink()

    assert result.returncode == 1, describe(result)
    output = result.stdout
    assert "FAILED tests/test_made_to_hang.py::test_made_to_hang" in output, describe(result)
    assert f"Failed: Timeout (>{LIMIT_SECONDS}.0s) from pytest-timeout" in output, describe(result)
    # Where it waited: the stack ends at the sleeping line of the test.
    assert "time.sleep(600)" in output, describe(result)
    assert "1 failed, 1 passed" in output, describe(result)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_server_started_by_a_test_dies_when_pytest_is_killed(project, tmp_path):
    (project / "tiny_app.py").write_text(TINY_APP)
    (project / "tests" / "test_starts_a_server.py").write_text(STARTS_A_SERVER_AND_WAITS)
    port = free_port()
    pid_file = tmp_path / "server.pid"
    env = project_env(
        TEST_DATABASE_URL=None,
        TEST_REDIS_URL=None,
        HANG_PORT=str(port),
        HANG_PID_FILE=str(pid_file),
    )
    pytest_run = start_server(
        project,
        ["-m", "pytest", "tests/test_starts_a_server.py", "-p", "no:cacheprovider", "--no-cov"],
        env,
        tmp_path / "pytest.log",
    )
    server_group = None
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", pytest_run, timeout=60)
        assert pid_file.exists(), server_log(pytest_run)
        server_group = int(pid_file.read_text())
        assert processes_in_group(server_group), "no gunicorn processes found"

        os.kill(pytest_run.pid, signal.SIGKILL)
        pytest_run.wait()
        left = wait_until_gone(server_group, GONE_WITHIN_SECONDS)

        assert not left, f"still running {GONE_WITHIN_SECONDS}s after kill -9 of pytest: {left}"
    finally:
        if pytest_run.poll() is None:
            os.killpg(pytest_run.pid, signal.SIGKILL)
            pytest_run.wait()
        if server_group is not None and processes_in_group(server_group):
            os.killpg(server_group, signal.SIGKILL)
        pytest_run.log.close()
        (project / "tests" / "test_starts_a_server.py").unlink()
        (project / "tiny_app.py").unlink()


def processes_in_group(group):
    """The command lines of the live processes (zombies aside) in process group ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(command.strip())
    return found


def wait_until_gone(group, seconds):
    """Poll until process group ``group`` has no live process, or ``seconds`` pass; what is left."""
    deadline = time.monotonic() + seconds
    while (left := processes_in_group(group)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left

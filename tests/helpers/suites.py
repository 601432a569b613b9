"""The generated test suites, each run by one template test on a bake of its own.

Each answer set that removes a part removes tests too, so each set's bake
runs its own suite: the longest of the template's tests. pytest-xdist hands
them out first, one per template worker, and the template's other tests
fill the cores in around them (tests/conftest.py).
"""

import os
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

from helpers.baking import TEMPLATE_DIR
from helpers.dockerfile import stage_commands
from helpers.processes import describe, free_port, project_env, run, run_command
from helpers.services import OwnRedis, fresh_postgres_database, given_database_url, given_redis_url
from helpers.tools import tool

# The answer sets run in. Each suite runs on a bake of its own; the others
# made from these in tests/test_baked_project.py run commands (migrations...).
SUITE_ANSWER_SETS = {
    "default": {},
    "unicode-apostrophe": {"project_name": "Zoë's Shop"},
    "no-api": {"use_api": False},
    "no-notes": {"use_example_notes": False, "use_realtime": False},
    "no-realtime": {"use_realtime": False},
    "no-uploads": {"use_uploads": False},
    "no-admin": {"use_admin": False},
    "minimal": {
        "use_api": False,
        "use_example_notes": False,
        "use_realtime": False,
        "use_uploads": False,
        "use_admin": False,
    },
    "benchmark": {"use_benchmark": True},
}
# What each run covers. The default bake and the one with every part off run
# their whole suite with its coverage gate. A bake that removes one part runs
# what the removal can break: every quick test (imports, settings, routes,
# templates, the models) and the browser tests (every page at three widths,
# axe-core, the journeys), not the slow tests of the parts it still has, which
# the default bake runs (fuzzing, servers, timings); -k matches "browser" in a
# few realtime tests' names too ("the other browser's socket"). The benchmark
# bake only adds its part: its own tests.
ONE_PART_OFF = ["-k", "browser or not slow", "--no-cov"]
# In the order they are handed out to the template's workers: longest first.
SUITE_RUNS = {
    "default": [],
    "minimal": [],
    "no-api": ONE_PART_OFF,
    "no-uploads": ONE_PART_OFF,
    "no-admin": ONE_PART_OFF,
    "no-realtime": ONE_PART_OFF,
    "no-notes": ONE_PART_OFF,
    "benchmark": ["tests/bench", "--no-cov"],
}
# Where each suite's packages come from. The rest run in the template's own
# venv (requirements-dev.txt pins what the lock pins; tests/test_locks.py).
SUITE_INSTALLS = {
    # A venv made by the image's builder and dev stages' RUN commands, run outside
    # a container: what `docker compose ... run --rm web pytest` runs the suite with.
    "default": "image-dev-stage",
    # The project's own `make test`: `uv sync --locked`, with uv put in .tools/
    # by the Makefile (no uv on PATH), as on a machine with only python3 and make.
    "minimal": "make-test",
}
# How many processes a suite runs in. The default bake's suite runs as `pytest`
# in compose does, with pytest-xdist workers (-n auto in its pyproject.toml),
# each on databases of its own; the others run in one process, since another
# template worker is busy beside them and more processes than cores only adds
# each one's start-up.
IN_WORKERS = {"default"}
ONE_PROCESS = ["-n", "0"]
# Where the generated suites' browser tests leave their screenshots (build/ is gitignored).
SCREENSHOTS_DIR = TEMPLATE_DIR / "build" / "screenshots"
# How the generated suite is run: the project's own pytest settings, no cache dir.
PYTEST = ["-m", "pytest", "-p", "no:cacheprovider", "-q"]


@contextmanager
def suite_services(**extra_env):
    """The environment for one generated suite: its own databases, never shared.

    A fresh PostgreSQL database when a server is given, and a Redis server of
    its own when Redis is given (the suite flushes its database around every
    test, and pub/sub channels are shared by every database of a server).
    Without servers, the suite's own SQLite and fakeredis need nothing.
    (Given a Redis but no redis-server to start, the suites share the given
    one and run one at a time: ``suite_group``.)
    """
    with ExitStack() as stack:
        overrides = dict(extra_env)
        if given_database_url() is not None:
            overrides["TEST_DATABASE_URL"] = stack.enter_context(
                fresh_postgres_database(given_database_url(), "forge_suite")
            )
        if given_redis_url() is not None and shutil.which("redis-server"):
            redis_server = OwnRedis(free_port())
            stack.callback(redis_server.destroy)
            redis_server.start()
            overrides["TEST_REDIS_URL"] = redis_server.url
        yield project_env(**overrides)


def without_uv(path):
    """``path`` minus its directories holding a ``uv``."""
    return os.pathsep.join(
        directory for directory in path.split(os.pathsep) if not (Path(directory) / "uv").exists()
    )


def image_dev_stage_venv(project, directory):
    """The virtualenv the image's builder and dev stages make, made here without Docker.

    Returns it and the dev stage's environment. uv's cache is kept (the image
    sets UV_NO_CACHE: a build has none to reuse; a test run does), and the
    packages are not compiled ahead (below): what is installed is the same.
    """
    directory.mkdir()
    (directory / "wheelhouse").mkdir()
    moved = {"/tmp/": f"{directory}/", "/opt/venv": directory / "venv"}
    moved["/wheelhouse"] = directory / "wheelhouse"
    commands, environment = stage_commands(project / "Dockerfile", ["builder", "dev"], moved)
    environment.pop("UV_NO_CACHE")
    # The image compiles every package's bytecode for its start-up, and its dev
    # stage then writes none (PYTHONDONTWRITEBYTECODE). Here the tests' pycache
    # prefix (helpers/processes.py) keeps what the suite imports, compiled once:
    # compiling every package ahead would cost a core's minute.
    environment.pop("UV_COMPILE_BYTECODE")
    environment.pop("PYTHONDONTWRITEBYTECODE")
    environment["COVERAGE_FILE"] = str(directory / ".coverage")
    uv = Path(tool("uv")).parent
    env = project_env(**environment, PATH=os.pathsep.join([str(uv), os.environ["PATH"]]))
    for command in commands:
        result = run_command(project, ["sh", "-ec", command], env=env, timeout=900)
        assert result.returncode == 0, describe(result)
    return directory / "venv", environment


def run_suite(project, answer_set, extra_args):
    """Run a bake's own test suite on services of its own; return the CompletedProcess.

    The browser tests' screenshots are kept with the template's build output
    (CI keeps them as artifacts).
    """
    processes = [] if answer_set in IN_WORKERS else ONE_PROCESS
    with suite_services(BROWSER_SCREENSHOTS=str(SCREENSHOTS_DIR / answer_set)) as env:
        install = SUITE_INSTALLS.get(answer_set)
        if install == "image-dev-stage":
            venv, stage_env = image_dev_stage_venv(project, project.parent / "image")
            env.update(stage_env, PATH=os.pathsep.join([str(venv / "bin"), env["PATH"]]))
            command = [str(venv / "bin" / "python"), *PYTEST, *processes, *extra_args]
            return run_command(project, command, env=env, timeout=2400)
        if install == "make-test":
            env["PATH"] = without_uv(env["PATH"])
            env["PYTEST_ADDOPTS"] = " ".join(processes)
            return run_command(project, ["make", "test"], env=env, timeout=2400)
        return run(project, *PYTEST, *processes, *extra_args, env=env, timeout=2400)


def suite_group(answer_set):
    """The pytest-xdist group of the template test that runs ``answer_set``'s suite.

    A group of its own, so that two suites run at once; all in one group when
    they would share the given Redis (no redis-server to start one each).
    """
    shared_redis = given_redis_url() is not None and not shutil.which("redis-server")
    return "generated-suites" if shared_redis else f"generated-suite-{answer_set}"

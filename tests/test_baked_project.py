"""A baked project works from its own directory: its tests, migrations and commands.

Databases follow one rule: with ``TEST_DATABASE_URL`` set, each test gets a
brand-new PostgreSQL database on that server (dropped afterwards); SQLite
files are used in every run, so the SQLite path is always covered too.
"""

import html
import os
import secrets
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.baking import TEMPLATE_DIR
from helpers.dockerfile import stage_commands
from helpers.processes import describe, free_port, project_env, run, run_command
from helpers.services import (
    OwnRedis,
    fresh_postgres_database,
    given_database_url,
    given_redis_url,
    postgres_tables,
    sqlite_url,
)
from helpers.tools import tool

# Bakes made to run things in. The generated suite runs for each answer set
# that removes a part, since each removes tests too; it is the slowest step.
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
# What each run covers: the whole suite, or (for a bake that only adds a part
# to the default one) the part's own tests, without the coverage gate.
SUITE_RUNS = {
    "default": [],
    "no-api": [],
    "no-notes": [],
    "no-realtime": [],
    "no-uploads": [],
    "no-admin": [],
    "minimal": [],
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
    "no-admin": "make-test",
}
# Suites run one after another: each keeps every core busy with its own pytest-xdist
# workers (-n auto in its pyproject.toml), each worker on databases of its own.
SUITES_AT_ONCE = 1
# The schema is built and checked for every set of parts.
MIGRATION_ANSWER_SETS = ["default", "no-api", "no-notes", "no-uploads", "no-admin", "minimal"]
MANAGE_COMMANDS = {"create-user", "db", "run", "shell", "routes"}
# Where the generated suites' browser tests leave their screenshots (build/ is gitignored).
SCREENSHOTS_DIR = TEMPLATE_DIR / "build" / "screenshots"
# How the generated suite is run: the project's own pytest settings, no cache dir.
PYTEST = ["-m", "pytest", "-p", "no:cacheprovider", "-q"]


@pytest.fixture(scope="module")
def projects(bake_into):
    """One bake per suite answer set, used to run things in (never scanned)."""
    return {
        name: bake_into(f"run-{name}", **answers).path
        for name, answers in SUITE_ANSWER_SETS.items()
    }


@pytest.fixture(scope="module")
def project(projects):
    """The default bake to run commands in."""
    return projects["default"]


@contextmanager
def suite_services(**extra_env):
    """The environment for one generated suite: its own databases, never shared.

    A fresh PostgreSQL database when a server is given, and a Redis server of
    its own when Redis is given (the suite flushes its database around every
    test, and pub/sub channels are shared by every database of a server).
    Without servers, the suite's own SQLite and fakeredis need nothing.
    (Given a Redis but no redis-server to start, the suites share the given
    one and run one at a time.)
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
    sets UV_NO_CACHE: a build has none to reuse; a test run does).
    """
    directory.mkdir()
    (directory / "wheelhouse").mkdir()
    moved = {"/tmp/": f"{directory}/", "/opt/venv": directory / "venv"}
    moved["/wheelhouse"] = directory / "wheelhouse"
    commands, environment = stage_commands(project / "Dockerfile", ["builder", "dev"], moved)
    environment.pop("UV_NO_CACHE")
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
    with suite_services(BROWSER_SCREENSHOTS=str(SCREENSHOTS_DIR / answer_set)) as env:
        install = SUITE_INSTALLS.get(answer_set)
        if install == "image-dev-stage":
            venv, stage_env = image_dev_stage_venv(project, project.parent / "image")
            env.update(stage_env, PATH=os.pathsep.join([str(venv / "bin"), env["PATH"]]))
            command = [str(venv / "bin" / "python"), "-m", "pytest", *PYTEST[1:], *extra_args]
            return run_command(project, command, env=env, timeout=2400)
        if install == "make-test":
            env["PATH"] = without_uv(env["PATH"])
            return run_command(project, ["make", "test"], env=env, timeout=2400)
        return run(project, *PYTEST, *extra_args, env=env, timeout=2400)


@pytest.fixture(scope="module")
def suite_results(projects):
    """Every generated suite, started at once and run ``SUITES_AT_ONCE`` at a time."""
    shared_redis = given_redis_url() is not None and not shutil.which("redis-server")
    with ThreadPoolExecutor(max_workers=1 if shared_redis else SUITES_AT_ONCE) as pool:
        yield {
            name: pool.submit(run_suite, projects[name], name, extra_args)
            for name, extra_args in SUITE_RUNS.items()
        }


@pytest.mark.parametrize("answer_set", SUITE_RUNS)
def test_generated_test_suite_passes(suite_results, answer_set):
    result = suite_results[answer_set].result()

    assert result.returncode == 0, describe(result)
    assert " passed" in result.stdout, describe(result)


@dataclass
class Database:
    """A fresh, empty database and the environment that points a project at it."""

    kind: str
    url: str
    env: dict

    def tables(self):
        """Names of the tables in the database."""
        if self.kind == "sqlite":
            path = self.url.removeprefix("sqlite:///")
            with sqlite3.connect(path) as connection:
                rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {row[0] for row in rows}
        return postgres_tables(self.url)

    def users(self):
        """``(email, password_hash)`` of every user."""
        query = "SELECT email, password_hash FROM users ORDER BY id"
        if self.kind == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return connection.execute(query).fetchall()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=10) as connection:
            return connection.execute(query).fetchall()


def database_kinds():
    """SQLite always; PostgreSQL as well when a server is given."""
    return ["sqlite"] + (["postgresql"] if given_database_url() else [])


@pytest.fixture(params=database_kinds())
def database(request, tmp_path):
    """An empty database of each kind, with a project environment using it.

    On PostgreSQL the project runs as in production when Redis is given too
    (production requires REDIS_URL), else in development pointed at it.
    """
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "fresh.db")
        yield Database("sqlite", url, project_env(FLASK_CONFIG="development", DATABASE_URL=url))
        return
    with fresh_postgres_database(given_database_url(), "forge_migrate") as url:
        if given_redis_url():
            env = project_env(
                FLASK_CONFIG="production",
                SECRET_KEY=secrets.token_urlsafe(48),
                DATABASE_URL=url,
                REDIS_URL=given_redis_url(),
            )
        else:
            env = project_env(FLASK_CONFIG="development", DATABASE_URL=url)
        yield Database("postgresql", url, env)


def flask(project, database, *args):
    """Run ``python -m flask <args>`` in ``project`` against ``database``."""
    return run(project, "-m", "flask", *args, env=database.env)


# The tables each part adds.
PART_TABLES = {
    "use_api": {"api_tokens"},
    "use_example_notes": {"notes"},
    "use_uploads": {"stored_files"},
    "use_admin": {"audit_events"},
}
# Tables of two parts together: (answers, tables).
JOINT_TABLES = [(("use_example_notes", "use_uploads"), {"note_attachments"})]


def expected_tables(answers):
    """The tables a bake with ``answers`` should have once migrated."""
    tables = {"users", "logins", "alembic_version"}
    for name, part_tables in PART_TABLES.items():
        if answers.get(name, True):
            tables |= part_tables
    for names, joint_tables in JOINT_TABLES:
        if all(answers.get(name, True) for name in names):
            tables |= joint_tables
    return tables


@pytest.mark.parametrize("answer_set", MIGRATION_ANSWER_SETS)
def test_db_upgrade_builds_the_schema_and_is_safe_to_repeat(projects, database, answer_set):
    project = projects[answer_set]
    for _ in range(2):
        upgrade = flask(project, database, "db", "upgrade")
        assert upgrade.returncode == 0, describe(upgrade)

    current = flask(project, database, "db", "current")
    assert current.returncode == 0, describe(current)
    assert "(head)" in current.stdout, describe(current)
    assert database.tables() == expected_tables(SUITE_ANSWER_SETS[answer_set])


@pytest.mark.parametrize("answer_set", MIGRATION_ANSWER_SETS)
def test_db_check_finds_models_and_migrations_in_step(projects, database, answer_set):
    project = projects[answer_set]
    upgrade = flask(project, database, "db", "upgrade")
    assert upgrade.returncode == 0, describe(upgrade)

    check = flask(project, database, "db", "check")

    assert check.returncode == 0, describe(check)


def test_manage_py_help_lists_the_commands(project, tmp_path):
    env = project_env(FLASK_CONFIG="development", DATABASE_URL=sqlite_url(tmp_path / "help.db"))

    result = run(project, "manage.py", "--help", env=env)

    assert result.returncode == 0, describe(result)
    _, _, commands_section = result.stdout.partition("Commands:")
    listed = {line.split()[0] for line in commands_section.splitlines() if line.strip()}
    assert listed >= MANAGE_COMMANDS, describe(result)


def test_manage_py_create_user_makes_a_user_with_a_hashed_password(project, database):
    password = "correct horse battery staple"
    assert flask(project, database, "db", "upgrade").returncode == 0

    create = ["manage.py", "create-user", "Ada@Example.com", "--password", password]

    result = run(project, *create, env=database.env)

    assert result.returncode == 0, describe(result)
    assert "ada@example.com" in result.stdout.lower()
    ((email, password_hash),) = database.users()
    assert email == "ada@example.com"
    assert password not in password_hash
    assert password_hash.startswith(("scrypt:", "pbkdf2:", "argon2"))


def test_manage_py_create_user_refuses_a_taken_email(project, database):
    assert flask(project, database, "db", "upgrade").returncode == 0
    create = ["manage.py", "create-user", "ada@example.com", "--password", "long enough pw"]
    assert run(project, *create, env=database.env).returncode == 0

    again = run(project, *create, env=database.env)

    assert again.returncode != 0
    assert "already exists" in again.stderr, describe(again)
    assert "Traceback" not in again.stdout + again.stderr
    assert len(database.users()) == 1


def test_pages_show_the_project_name(projects):
    script = (
        "from app import create_app\n"
        "response = create_app('testing').test_client().get('/')\n"
        "print(response.status_code)\n"
        "print(response.get_data(as_text=True))\n"
    )
    # The in-memory database and Redis emulator of the testing config suffice.
    env = project_env(TEST_DATABASE_URL=None, TEST_REDIS_URL=None)

    result = run(projects["unicode-apostrophe"], "-c", script, env=env)

    assert result.returncode == 0, describe(result)
    status, _, page = result.stdout.partition("\n")
    assert status == "200"
    assert "<title>" in page
    assert "Zoë's Shop" in html.unescape(page)

"""A baked project works from its own directory: its tests, migrations and commands.

Databases follow one rule: with ``TEST_DATABASE_URL`` set, each test gets a
brand-new PostgreSQL database on that server (dropped afterwards); SQLite
files are used in every run, so the SQLite path is always covered too.
"""

import html
import secrets
import sqlite3
from dataclasses import dataclass

import pytest

from helpers.processes import describe, project_env, run
from helpers.services import (
    fresh_postgres_database,
    given_database_url,
    given_redis_url,
    postgres_tables,
    sqlite_url,
)
from helpers.suites import SUITE_ANSWER_SETS, SUITE_RUNS, run_suite, suite_group

# The schema is built and checked for every set of parts.
MIGRATION_ANSWER_SETS = ["default", "no-api", "no-notes", "no-uploads", "no-admin", "minimal"]
MANAGE_COMMANDS = {"create-user", "db", "run", "shell", "routes"}


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


@pytest.mark.generated_suite
@pytest.mark.parametrize(
    "answer_set",
    [pytest.param(name, marks=pytest.mark.xdist_group(suite_group(name))) for name in SUITE_RUNS],
)
def test_generated_test_suite_passes(bake_into, answer_set):
    project = bake_into(f"suite-{answer_set}", **SUITE_ANSWER_SETS[answer_set]).path

    result = run_suite(project, answer_set, SUITE_RUNS[answer_set])

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

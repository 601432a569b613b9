"""Migrations build the schema the models describe, on a fresh SQLite file.

These tests never touch the TEST_DATABASE_URL database: each gets its own
file database in a temporary directory.
"""

import logging
from datetime import timedelta

import flask_migrate
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from app.models import ApiToken, User
from sqlalchemy import inspect

from app import create_app
from app.auth.accounts import create_account
from app.extensions import db
from app.notes.service import create_note, notes_page
from config import PROJECT_ROOT

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture(autouse=True)
def keep_logging_as_it_was():
    """Alembic's env.py configures logging from alembic.ini; undo that for the next tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def migration_app(monkeypatch, tmp_path):
    """A testing app on an empty SQLite file of its own."""
    monkeypatch.setenv("TEST_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    app = create_app("testing")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def current_revisions():
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions(app):
    config = app.extensions["migrate"].migrate.get_config(MIGRATIONS)
    return set(ScriptDirectory.from_config(config).get_heads())


def db_check(app):
    return app.test_cli_runner().invoke(args=["db", "--directory", MIGRATIONS, "check"])


def test_the_migration_app_uses_its_own_file(migration_app, tmp_path):
    assert db.engine.url.database == str(tmp_path / "m.db")


def test_upgrade_builds_the_schema_on_an_empty_database(migration_app):
    assert inspect(db.engine).get_table_names() == []
    flask_migrate.upgrade(directory=MIGRATIONS)
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "notes", "api_tokens", "alembic_version"} <= tables
    assert current_revisions() == head_revisions(migration_app)


def test_upgrade_is_safe_to_run_twice(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert current_revisions() == head_revisions(migration_app)


def test_models_and_migrations_agree(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    result = db_check(migration_app)
    assert result.exit_code == 0, result.output


def test_the_check_fails_on_a_database_that_is_not_up_to_date(migration_app):
    result = db_check(migration_app)
    assert result.exit_code != 0


def test_the_migrated_schema_holds_a_user(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    user = create_account("ada@example.com", "correct horse battery")
    assert user.created_at.utcoffset() is not None


def test_downgrade_to_base_and_back(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert "users" in inspect(db.engine).get_table_names()


def test_upgrading_from_0001_keeps_the_existing_users(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    create_account("ada@example.com", "correct horse battery")
    db.session.remove()
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert current_revisions() == head_revisions(migration_app)
    assert User.find_by_email("ada@example.com").check_password("correct horse battery")


def test_existing_users_can_keep_notes_and_tokens_after_the_upgrade(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    user = create_account("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    create_note(user, "First note")
    ApiToken.issue(user, timedelta(hours=1))
    db.session.commit()
    assert [note.title for note in notes_page(user, 1, 10).items] == ["First note"]


def test_the_upgrade_leaves_a_schema_the_check_accepts(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    create_account("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    result = db_check(migration_app)
    assert result.exit_code == 0, result.output


def test_downgrading_to_0001_drops_notes_and_tokens_but_keeps_users(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    create_account("ada@example.com", "correct horse battery")
    db.session.remove()
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0001")
    assert set(inspect(db.engine).get_table_names()) == {"users", "alembic_version"}
    assert User.find_by_email("ada@example.com") is not None

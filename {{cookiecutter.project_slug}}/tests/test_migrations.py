"""Migrations build the schema the models describe, on a fresh SQLite file.

These tests never touch the TEST_DATABASE_URL database: each gets its own
file database in a temporary directory.
"""

import flask_migrate
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.auth.accounts import create_account
from app.auth.models import User
from app.extensions import db
from tests.conftest import MIGRATIONS, add_user_as_in_0001


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
    assert {"users", "alembic_version"} <= tables
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
    add_user_as_in_0001("ada@example.com", "correct horse battery")
    db.session.remove()
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert current_revisions() == head_revisions(migration_app)
    user = User.find_by_email("ada@example.com")
    assert user.check_password("correct horse battery")
    assert user.email_confirmed is False  # accounts from before confirmation existed


def test_the_upgrade_leaves_a_schema_the_check_accepts(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    add_user_as_in_0001("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    result = db_check(migration_app)
    assert result.exit_code == 0, result.output


def test_downgrading_to_0001_keeps_only_the_users_and_their_logins(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    create_account("ada@example.com", "correct horse battery")
    db.session.remove()
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0001")
    assert set(inspect(db.engine).get_table_names()) == {"users", "logins", "alembic_version"}
    emails = db.session.execute(text("SELECT email FROM users")).scalars().all()
    assert emails == ["ada@example.com"]


def test_confirmation_dates_come_and_go_with_their_migration(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert "email_confirmed_at" in columns
    # Down to this migration (later ones depend on it), then one step more.
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0004_email_confirmation")
    flask_migrate.downgrade(directory=MIGRATIONS, revision="-1")
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert "email_confirmed_at" not in columns
    assert current_revisions() != head_revisions(migration_app)

"""The notes migration: the notes table, added to a database that already has users."""

import flask_migrate
from sqlalchemy import inspect, text

from app.auth.accounts import create_account
from app.auth.models import User
from app.extensions import db
from app.notes.service import create_note, notes_page
from tests.conftest import MIGRATIONS, add_user_as_in_0001


def test_upgrade_builds_the_notes_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert "notes" in inspect(db.engine).get_table_names()


def test_existing_users_can_keep_notes_after_the_upgrade(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    add_user_as_in_0001("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    user = User.find_by_email("ada@example.com")
    create_note(user, "First note")
    assert [note.title for note in notes_page(user, 1, 10).items] == ["First note"]


def test_downgrading_to_0001_drops_the_notes_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0001")
    assert "notes" not in inspect(db.engine).get_table_names()


def test_a_migration_that_copies_the_users_table_keeps_the_notes(migration_app):
    """A batch migration on SQLite copies a table, drops it and renames the copy. With
    foreign keys enforced (as the app has them), dropping ``users`` would delete every
    note by cascade: migrations/env.py turns them off for its own connection."""
    flask_migrate.upgrade(directory=MIGRATIONS)
    create_note(create_account("ada@example.com", "correct horse battery"), "Keep me")
    db.session.remove()
    flask_migrate.downgrade(directory=MIGRATIONS, revision="-1")  # drops a users column
    titles = db.session.execute(text("SELECT title FROM notes")).scalars().all()
    assert titles == ["Keep me"]

"""The notes migration: the notes table, added to a database that already has users."""

import flask_migrate
from sqlalchemy import inspect

from app.auth.accounts import create_account
from app.extensions import db
from app.notes.service import create_note, notes_page
from tests.conftest import MIGRATIONS


def test_upgrade_builds_the_notes_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert "notes" in inspect(db.engine).get_table_names()


def test_existing_users_can_keep_notes_after_the_upgrade(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    user = create_account("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    create_note(user, "First note")
    assert [note.title for note in notes_page(user, 1, 10).items] == ["First note"]


def test_downgrading_to_0001_drops_the_notes_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0001")
    assert "notes" not in inspect(db.engine).get_table_names()

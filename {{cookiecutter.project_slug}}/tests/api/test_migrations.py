"""The API's migration: the api_tokens table, added to a database that already has users."""

from datetime import timedelta

import flask_migrate
from sqlalchemy import inspect

from app.api.models import ApiToken
from app.auth.models import User
from app.extensions import db
from tests.conftest import MIGRATIONS, add_user_as_in_0001


def test_upgrade_builds_the_tokens_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert "api_tokens" in inspect(db.engine).get_table_names()


def test_existing_users_can_hold_tokens_after_the_upgrade(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS, revision="0001")
    add_user_as_in_0001("ada@example.com", "correct horse battery")
    flask_migrate.upgrade(directory=MIGRATIONS)
    user = User.find_by_email("ada@example.com")
    _token, plain = ApiToken.issue(user, timedelta(hours=1))
    db.session.commit()
    assert ApiToken.find_valid(plain).user.email == "ada@example.com"


def test_downgrading_to_0001_drops_the_tokens_table(migration_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="0001")
    assert "api_tokens" not in inspect(db.engine).get_table_names()

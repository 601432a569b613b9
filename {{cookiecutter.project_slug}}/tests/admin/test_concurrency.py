"""Two administrators disabling, or revoking, each other at once leave one administrator.

The rows of the enabled administrators are locked before they are counted
(``app/auth/roles.py``): on PostgreSQL the second request waits for the
first to commit, then counts again. SQLite lets one writer in at a time;
an in-memory database is one connection shared by every thread, so without
``TEST_DATABASE_URL`` these tests use a database file.
"""

import os
import threading

import pytest
from sqlalchemy import func, select

from app.auth import roles
from app.auth.audit import Actor
from app.auth.models import User
from app.extensions import db
from tests.admin.conftest import ADMIN_EMAIL, SECOND_ADMIN_EMAIL, make_admin
from tests.conftest import close, empty_tables, new_testing_app


@pytest.fixture
def shared_app(monkeypatch, tmp_path):
    """A testing app whose threads each get a database connection of their own."""
    if not os.environ.get("TEST_DATABASE_URL"):
        monkeypatch.setenv("TEST_DATABASE_URL", f"sqlite:///{tmp_path / 'shared.db'}")
    app = new_testing_app()
    empty_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
    close(app)


def disable(target: User, actor: Actor) -> None:
    roles.disable(target, actor)


def revoke(target: User, actor: Actor) -> None:
    roles.set_admin(target, False, actor)


def at_once(app, change, pairs):
    """Run ``change(target, actor)`` for each (actor id, target id) pair, each in a
    request of its own, all released together; return each one's outcome."""
    ready = threading.Barrier(len(pairs))
    outcomes = {}

    def run(actor_id, target_id):
        with app.test_request_context(method="POST"):
            actor = db.session.get(User, actor_id)
            target = db.session.get(User, target_id)
            by = Actor(actor.email, actor.id)
            ready.wait()
            try:
                change(target, by)
                outcomes[actor_id] = "done"
            except roles.RoleError:
                db.session.rollback()
                outcomes[actor_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def enabled_administrators(app):
    with app.app_context():
        query = select(func.count()).where(User.is_admin, User.disabled_at.is_(None))
        return db.session.scalar(query)


@pytest.mark.parametrize("change", [disable, revoke])
def test_two_administrators_acting_on_each_other_at_once_leave_one(shared_app, change):
    first = make_admin(shared_app, ADMIN_EMAIL)
    second = make_admin(shared_app, SECOND_ADMIN_EMAIL)

    outcomes = at_once(shared_app, change, [(first.id, second.id), (second.id, first.id)])

    assert sorted(outcomes.values()) == ["done", "refused"]
    assert enabled_administrators(shared_app) == 1

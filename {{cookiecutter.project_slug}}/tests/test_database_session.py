"""Read-only requests run in autocommit; the others in one transaction.

See app/infrastructure/database_session.py.
"""

import pytest
from sqlalchemy import event, func, select

from app.auth.guard import public
from app.auth.models import User
from app.extensions import db
from app.infrastructure.database_session import RequestSession, autocommit_variant


@pytest.fixture
def isolation_seen(app):
    """The isolation level of each connection the session used, per request."""
    seen = []

    def view():
        connection = db.session.connection()
        seen.append(connection.get_execution_options().get("isolation_level"))
        return {"users": db.session.scalar(select(func.count(User.id)))}

    app.config["WTF_CSRF_ENABLED"] = False
    app.add_url_rule("/isolation", "isolation", public(view), methods=["GET", "POST", "DELETE"])
    return seen


def test_db_session_is_the_request_session(app):
    with app.app_context():
        assert isinstance(db.session(), RequestSession)


def test_get_requests_read_in_autocommit(client, isolation_seen):
    assert client.get("/isolation").json == {"users": 0}
    assert client.head("/isolation").status_code == 200
    assert isolation_seen == ["AUTOCOMMIT", "AUTOCOMMIT"]


def test_unsafe_methods_get_a_transaction_even_right_after_a_read(client, isolation_seen):
    """The pooled connection a GET used is handed back without its autocommit."""
    client.get("/isolation")
    assert client.post("/isolation").status_code == 200
    assert client.delete("/isolation").status_code == 200
    assert isolation_seen == ["AUTOCOMMIT", None, None]


def test_outside_a_request_the_session_keeps_its_transaction(app):
    with app.app_context():
        options = db.session.connection().get_execution_options()
        assert options.get("isolation_level") != "AUTOCOMMIT"


def test_the_autocommit_variant_is_made_once_and_shares_the_pool(app):
    with app.app_context():
        variant = autocommit_variant(db.engine)
        assert autocommit_variant(db.engine) is variant
        assert variant.pool is db.engine.pool


def test_a_get_request_sends_no_begin(app, client, isolation_seen):
    """What autocommit saves: the BEGIN (and ROLLBACK) round trips around a read."""
    sent = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get("/isolation")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sent == ["SELECT"]

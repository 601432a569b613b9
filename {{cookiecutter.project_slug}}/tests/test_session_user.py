"""The logged-in user comes from the session's snapshot, checked against the database
every SESSION_USER_RECHECK_SECONDS (app/auth/session_user.py)."""

import pytest
from flask import session
from sqlalchemy import event

from app.auth import login_session, session_user
from app.auth.login_session import log_in
from app.auth.models import User
from app.auth.session_user import SNAPSHOT_KEY, SessionUser, load_session_user
from app.extensions import db


@pytest.fixture
def clock(monkeypatch):
    """The time the snapshot code sees, moved on with ``clock.advance(seconds)``."""

    class Clock:
        now = 1_800_000_000.0

        def time(self):
            return self.now

        def advance(self, seconds):
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(session_user.time, "time", fake.time)
    return fake


@pytest.fixture
def statements(app):
    """The SQL statements the app sends, as a list that grows."""
    sent = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def login_id_of(user_id):
    return db.session.get(User, user_id).login_id


def test_the_loader_finds_a_user_by_login_id_and_keeps_a_snapshot(app, user, clock):
    with app.test_request_context():
        found = load_session_user(login_id_of(user.id))
        assert isinstance(found, SessionUser)
        assert (found.id, found.email) == (user.id, user.email)
        assert found.get_id() == login_id_of(user.id)
        assert session[SNAPSHOT_KEY]["checked_at"] == clock.now
        assert found.created_at == db.session.get(User, user.id).created_at
        assert found.load().id == user.id
        assert repr(found) == f"<SessionUser {user.id} {user.email}>"


@pytest.mark.parametrize("login_id", ["1", "999999", "abc", "", "-1"])
def test_the_loader_returns_none_for_anything_but_a_login_id(app, user, login_id):
    """Primary keys in particular: sessions and cookies never hold them."""
    with app.test_request_context():
        assert load_session_user(login_id) is None
        assert SNAPSHOT_KEY not in session


def test_the_loader_refuses_a_revoked_login_id_and_forgets_the_snapshot(app, user, clock):
    with app.test_request_context():
        old_login_id = login_id_of(user.id)
        session["_user_id"] = old_login_id
        load_session_user(old_login_id)
        db.session.get(User, user.id).revoke_logins()
        db.session.commit()
        clock.advance(60)
        assert load_session_user(old_login_id) is None
        assert SNAPSHOT_KEY not in session


def test_a_fresh_snapshot_answers_without_a_query(app, user, clock, statements):
    with app.test_request_context():
        login_id = login_id_of(user.id)
        session["_user_id"] = login_id
        load_session_user(login_id)
        statements.clear()
        clock.advance(59)
        assert load_session_user(login_id).email == user.email
        assert statements == []


def test_a_snapshot_of_another_login_id_is_not_used(app, user, other_user, clock):
    with app.test_request_context():
        session["_user_id"] = login_id_of(user.id)
        load_session_user(login_id_of(user.id))
        assert load_session_user(login_id_of(other_user.id)).id == other_user.id


def test_an_old_snapshot_is_checked_again_and_picks_up_changes(app, user, clock, statements):
    with app.test_request_context():
        login_id = login_id_of(user.id)
        session["_user_id"] = login_id
        load_session_user(login_id)
        db.session.get(User, user.id).email = "ada.lovelace@example.com"
        db.session.commit()
        clock.advance(60)
        statements.clear()
        assert load_session_user(login_id).email == "ada.lovelace@example.com"
        assert len(statements) == 1
        assert session[SNAPSHOT_KEY]["checked_at"] == clock.now


def log_in_on_two_devices(app, auth):
    """A laptop and a phone, each logged in as ``user`` through the form."""
    laptop, phone = app.test_client(), app.test_client()
    type(auth)(laptop).login()
    type(auth)(phone).login()
    return laptop, phone


def is_sent_to_login(response):
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.fixture
def without_session_index(monkeypatch):
    """Logout as with development's file sessions, which have no per-user index."""
    monkeypatch.setattr(login_session, "end_sessions_of", lambda _owner: False)


def test_logout_ends_the_other_devices_sessions_at_once(app, auth, user):
    app.config["SESSION_USER_RECHECK_SECONDS"] = 3600  # the session index does not wait for it
    laptop, phone = log_in_on_two_devices(app, auth)
    assert laptop.get("/dashboard").status_code == 200
    type(auth)(phone).logout()
    assert is_sent_to_login(laptop.get("/dashboard"))


def test_without_a_session_index_logout_ends_other_sessions_at_their_next_check(
    app, auth, user, clock, without_session_index
):
    laptop, phone = log_in_on_two_devices(app, auth)
    type(auth)(phone).logout()
    assert laptop.get("/dashboard").status_code == 200  # within the window: still trusted
    clock.advance(60)
    assert is_sent_to_login(laptop.get("/dashboard"))


def test_without_a_session_index_a_recheck_of_zero_ends_other_sessions_at_once(
    app, auth, user, without_session_index
):
    app.config["SESSION_USER_RECHECK_SECONDS"] = 0
    laptop, phone = log_in_on_two_devices(app, auth)
    assert laptop.get("/dashboard").status_code == 200
    type(auth)(phone).logout()
    assert is_sent_to_login(laptop.get("/dashboard"))


def test_a_deleted_user_is_logged_out_at_the_next_check(app, client, auth, user, clock):
    auth.login()
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    clock.advance(60)
    assert client.get("/dashboard").status_code == 302


def test_logging_out_a_deleted_user_still_ends_the_session(app, client, auth, user):
    auth.login()
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    assert auth.logout().status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_the_snapshot_is_only_trusted_for_the_login_id_it_was_taken_for(app, user, other_user):
    with app.test_request_context():
        load_session_user(login_id_of(user.id))  # the snapshot of user
        session.pop("_user_id", None)
        found = load_session_user(login_id_of(other_user.id))  # e.g. other_user's remember cookie
        assert (found.id, found.email) == (other_user.id, other_user.email)


def test_loading_the_row_checks_the_login_id(app, user):
    with app.test_request_context():
        found = load_session_user(login_id_of(user.id))
        db.session.get(User, user.id).revoke_logins()
        db.session.commit()
        assert found.load() is None


def test_an_inactive_user_is_not_logged_in_and_leaves_no_snapshot(app, user, monkeypatch):
    """Flask-Login refuses users whose ``is_active`` is False (a project may add that)."""
    monkeypatch.setattr(User, "is_active", property(lambda self: False))
    with app.test_request_context():
        log_in(db.session.get(User, user.id))
        assert "_user_id" not in session
        assert SNAPSHOT_KEY not in session

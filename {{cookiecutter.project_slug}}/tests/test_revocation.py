"""Revocation at once: the index of each user's sessions in Redis, and development without it."""

import logging
import time

import msgspec
import pytest
from flask.logging import default_handler

from app.auth.accounts import create_account
from app.auth.models import User
from app.auth.revocation import revoke_everything
from app.auth.session_user import recheck_everywhere
from app.auth.signals import logins_revoked
from app.extensions import db
from app.infrastructure.session_index import (
    end_sessions_of,
    has_session_index,
    rewrite_sessions_of,
    sessions_of,
)
from tests.conftest import EMAIL, LINK, PASSWORD, AuthActions, path_of
from tests.request_counters import count_request

NEW_PASSWORD = "a brand new horse battery"


def logged_in_browser(app, remember_me=False):
    client = app.test_client()
    assert AuthActions(client).login(remember_me=remember_me).status_code == 302
    return client


def session_id(client):
    return client.get_cookie("session").value


def test_each_login_is_listed_under_its_user(app, user, redis_client):
    browsers = [logged_in_browser(app) for _ in range(3)]
    with app.test_request_context():
        assert has_session_index()
        assert set(sessions_of(user.id)) == {session_id(browser) for browser in browsers}
    assert redis_client.ttl(f"session-index:{user.id}") > 0


def test_an_anonymous_session_is_listed_nowhere(app, client, redis_client):
    client.get("/auth/login")  # a session with a CSRF token, and no user
    assert redis_client.keys("session-index:*") == []


def test_an_unchanged_page_view_does_not_touch_the_index(app, user, redis_client):
    browser = logged_in_browser(app)
    counts = count_request(app, browser, "GET", "/auth/login")
    assert counts.redis_round_trips == 1  # the session's GETEX, nothing else


def test_ending_a_users_sessions_leaves_other_users_alone(app, user, other_user):
    mine = logged_in_browser(app)
    theirs = app.test_client()
    AuthActions(theirs).login(other_user.email, other_user.password)
    with app.test_request_context():
        assert end_sessions_of(user.id) is True
        assert sessions_of(user.id) == []
    assert mine.get("/dashboard").status_code == 302
    assert theirs.get("/dashboard").status_code == 200


def test_index_entries_past_their_time_are_dropped(app, user, redis_client):
    redis_client.zadd(f"session-index:{user.id}", {"long-gone": 1})
    logged_in_browser(app)
    with app.test_request_context():
        assert "long-gone" not in sessions_of(user.id)


def test_a_revocation_ends_sessions_even_while_their_snapshots_are_fresh(app, user):
    app.config["SESSION_USER_RECHECK_SECONDS"] = 24 * 3600
    others = [logged_in_browser(app), logged_in_browser(app, remember_me=True)]
    with app.test_request_context():
        revoke_everything(db.session.get(User, user.id))
    for browser in others:
        assert browser.get("/dashboard").status_code == 302
    others[1].delete_cookie("session")
    assert others[1].get("/dashboard").status_code == 302


def test_a_revocation_tells_other_parts_in_the_same_transaction(app, user):
    heard = []

    def listener(sender, user_id, **extra):
        heard.append((sender, user_id, db.session.get(User, user_id).login_id))

    logins_revoked.connect(listener)
    try:
        with app.test_request_context():
            account = db.session.get(User, user.id)
            old_login_id = account.login_id
            revoke_everything(account)
    finally:
        logins_revoked.disconnect(listener)
    [(sender, user_id, login_id)] = heard
    assert (sender, user_id) == (app, user.id)
    assert login_id != old_login_id  # sent after the new login id, before the commit


def test_rewriting_skips_sessions_that_ended_meanwhile(app, user, redis_client):
    browser = logged_in_browser(app)
    redis_client.delete(f"session:{session_id(browser)}")
    with app.test_request_context():
        rewrite_sessions_of(user.id, lambda data: data.update(touched=True))
    assert redis_client.get(f"session:{session_id(browser)}") is None


def test_rewriting_keeps_each_sessions_expiry(app, user, redis_client):
    browser = logged_in_browser(app)
    key = f"session:{session_id(browser)}"
    redis_client.expire(key, 100)
    with app.test_request_context():
        rewrite_sessions_of(user.id, lambda data: data.update(touched=True))
    assert 0 < redis_client.ttl(key) <= 100


def test_a_recheck_everywhere_leaves_sessions_without_a_snapshot_alone(app, user, redis_client):
    planted = msgspec.msgpack.encode({"_owner": user.id, "note": "no snapshot"})
    redis_client.set("session:planted", planted)
    redis_client.zadd(f"session-index:{user.id}", {"planted": time.time() + 60})
    with app.test_request_context():
        recheck_everywhere(db.session.get(User, user.id))
    assert redis_client.get("session:planted") == planted


# Development without Redis: no index, so each page view checks the login.


@pytest.fixture
def dev_app(development_app):
    """The development app (file sessions, console mail) with its tables."""
    with development_app.app_context():
        db.create_all()
    yield development_app
    with development_app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def dev_user(dev_app):
    """An account in the development app; its id."""
    with dev_app.app_context():
        return create_account(EMAIL, PASSWORD).id


def test_development_keeps_no_index_and_checks_the_login_on_every_page_view(dev_app, dev_user):
    other = logged_in_browser(dev_app)
    this = dev_app.test_client()
    auth = AuthActions(this)
    auth.login()
    with dev_app.test_request_context():
        assert not has_session_index()
        assert end_sessions_of(dev_user) is False
        rewrite_sessions_of(dev_user, lambda data: data.clear())  # nothing to rewrite

    data = {"current_password": PASSWORD, "password": NEW_PASSWORD}
    response = auth.submit("/account/password", {**data, "confirm_password": NEW_PASSWORD})

    assert response.status_code == 302
    assert this.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302  # revoked at its very next request


def test_development_writes_mails_to_the_log_with_links_that_work(dev_app, dev_user, caplog):
    client = dev_app.test_client()
    with caplog.at_level(logging.INFO, logger="app"):
        AuthActions(client).submit("/auth/reset", {"email": EMAIL})
    (logged,) = [record for record in caplog.records if "MAIL_URL is console://" in record.message]
    default_handler.filter(logged)  # adds the request id the format shows
    (link,) = LINK.findall(default_handler.format(logged))  # as printed, secrets masked
    assert link.startswith(dev_app.config["PUBLIC_URL"] + "/auth/reset/")
    assert client.get(path_of(link, dev_app.config["PUBLIC_URL"])).status_code == 200

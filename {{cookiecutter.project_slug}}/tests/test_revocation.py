"""Logins: one row per logged-in browser, ended by deleting it, at once and everywhere."""

import logging

import pytest
from flask import request
from flask.logging import default_handler
from sqlalchemy import func, select

from app.auth.accounts import create_account
from app.auth.models import Login, User
from app.auth.revocation import revoke_everything
from app.auth.signals import logins_revoked
from app.extensions import db
from tests.conftest import EMAIL, LINK, PASSWORD, AuthActions, path_of
from tests.request_counters import counting

NEW_PASSWORD = "a brand new horse battery"


def logged_in_browser(app, remember_me=False):
    client = app.test_client()
    assert AuthActions(client).login(remember_me=remember_me).status_code == 302
    return client


def logins_of(app, user_id):
    with app.app_context():
        return set(db.session.scalars(select(Login.id).where(Login.user_id == user_id)))


def test_each_login_is_a_row_of_its_own_with_a_random_id(app, user):
    first, second = logged_in_browser(app), logged_in_browser(app)
    ids = logins_of(app, user.id)
    assert len(ids) == 2
    assert all(len(login_id) >= 32 and str(user.id) != login_id for login_id in ids)
    for browser in (first, second):
        with browser.session_transaction() as session:
            assert session["_user_id"] in ids


def test_logging_out_ends_this_browser_only(app, user):
    this, other = logged_in_browser(app), logged_in_browser(app)
    AuthActions(this).logout()
    assert this.get("/dashboard").status_code == 302
    assert other.get("/dashboard").status_code == 200
    assert len(logins_of(app, user.id)) == 1


def test_logging_out_everywhere_ends_every_login_of_the_user(app, user, other_user):
    this, other = logged_in_browser(app), logged_in_browser(app, remember_me=True)
    theirs = app.test_client()
    AuthActions(theirs).login(other_user.email, other_user.password)
    token = AuthActions(this).csrf_token("/dashboard")
    response = this.post("/auth/logout", data={"csrf_token": token, "everywhere": "1"})
    assert response.status_code == 302
    assert "every device" in this.get("/").get_data(as_text=True)
    other.delete_cookie("session")  # the remember-me cookie alone
    for browser in (this, other):
        assert browser.get("/dashboard").status_code == 302
    assert logins_of(app, user.id) == set()
    assert theirs.get("/dashboard").status_code == 200


def test_logging_out_ends_the_remember_me_cookie_of_that_login(app, user):
    browser = logged_in_browser(app, remember_me=True)
    remember = browser.get_cookie("remember_token").value
    AuthActions(browser).logout()
    copy = app.test_client()
    copy.set_cookie("remember_token", remember)
    assert copy.get("/dashboard").status_code == 302


def test_a_revocation_ends_every_session_and_remember_cookie_at_once(app, user, other_user):
    mine = [logged_in_browser(app), logged_in_browser(app, remember_me=True)]
    theirs = app.test_client()
    AuthActions(theirs).login(other_user.email, other_user.password)
    with app.test_request_context():
        revoke_everything(db.session.get(User, user.id))
    for browser in mine:
        assert browser.get("/dashboard").status_code == 302
    mine[1].delete_cookie("session")
    assert mine[1].get("/dashboard").status_code == 302
    assert theirs.get("/dashboard").status_code == 200


def test_a_session_whose_login_ended_is_deleted_with_its_remember_cookie(app, user, redis_client):
    browser = logged_in_browser(app, remember_me=True)
    key = f"session:{browser.get_cookie('session').value}"
    with app.test_request_context():
        revoke_everything(db.session.get(User, user.id))
    assert browser.get("/").status_code == 200
    assert not redis_client.exists(key)  # the session held nothing else
    assert browser.get_cookie("remember_token") is None


def test_a_revocation_tells_other_parts_in_the_same_transaction(app, user):
    heard = []

    def listener(sender, user_id, **extra):
        count = select(func.count()).select_from(Login).where(Login.user_id == user_id)
        heard.append((sender, user_id, db.session.scalar(count)))

    logged_in_browser(app)
    logins_revoked.connect(listener)
    try:
        with app.test_request_context():
            revoke_everything(db.session.get(User, user.id))
    finally:
        logins_revoked.disconnect(listener)
    assert heard == [(app, user.id, 0)]  # sent after the logins went, before the commit


def test_a_late_write_of_a_logged_out_session_logs_nobody_in(app, client, auth, user):
    """A request still running when its session logs out may write the session back:
    it holds an ended login, so it is anonymous all the same."""
    auth.login()
    session_id = client.get_cookie("session").value
    with app.test_request_context("/dashboard", headers={"Cookie": f"session={session_id}"}):
        in_flight = app.session_interface.open_session(app, request._get_current_object())
        assert in_flight.get("_user_id")
        in_flight["touched"] = True  # the in-flight request changed its session
        auth.logout()  # meanwhile, on another request, the same session logs out
        app.session_interface.save_session(app, in_flight, app.make_response("late"))
    thief = app.test_client()
    thief.set_cookie("session", session_id)
    assert thief.get("/dashboard").status_code == 302


@pytest.mark.parametrize("value", ["x|é", "1|\u2603", "é" * 40])
def test_a_non_ascii_remember_cookie_counts_as_none_and_is_deleted(client, value):
    client.set_cookie("remember_token", value)
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert client.get_cookie("remember_token") is None


def test_health_leaves_a_non_ascii_remember_cookie_and_the_session_alone(app, client):
    client.set_cookie("remember_token", "x|é")
    with counting(app) as counts:
        assert client.get("/health").status_code == 200
    assert counts.redis_commands == 1  # its PING: no session written or deleted
    assert client.get_cookie("remember_token") is not None


# Development without Redis: file sessions, the same logins.


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


def test_development_ends_other_logins_at_their_next_request(dev_app, dev_user):
    other = logged_in_browser(dev_app)
    this = dev_app.test_client()
    auth = AuthActions(this)
    auth.login()

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

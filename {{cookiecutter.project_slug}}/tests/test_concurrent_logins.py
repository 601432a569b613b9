"""Failed logins sent all at once count exactly as the same attempts sent one after another.

A limit checked before the request and counted after it lets every attempt
of a burst through the check before any is counted; the failed-login limit
takes each attempt before the password is checked, and gives back the ones
that did not fail (app/web/rate_limits.py).
"""

from functools import partial

import pytest

from app.auth import passwords
from app.extensions import limiter
from tests.bursts import send_at_once
from tests.conftest import CSRF_TOKEN, EMAIL, PASSWORD

LIMIT = 3
BURST = 8
WRONG = "not the password"


@pytest.fixture
def burst_app(app, monkeypatch):
    """A failed-login limit of 3, and room for a whole burst of hashes at once."""
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_RATE_LIMIT", f"{LIMIT} per minute")
    monkeypatch.setitem(app.extensions, passwords.EXTENSION, passwords.HashingSlots(BURST))
    return app


def login_form(app):
    """A browser of its own, and a sender posting its login form (a wrong password by default)."""
    browser = app.test_client()
    token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)

    def send(password=WRONG):
        data = {"csrf_token": token, "email": EMAIL, "password": password}
        return browser.post("/auth/login", data=data).status_code

    return send


def test_failed_logins_sent_at_once_count_as_one_after_another(burst_app, user, monkeypatch):
    senders = [login_form(burst_app) for _ in range(BURST)]

    statuses = send_at_once(monkeypatch, senders)

    assert statuses == [200] * LIMIT + [429] * (BURST - LIMIT)
    # Exactly LIMIT failures were counted: even the right password waits now.
    assert senders[0](PASSWORD) == 429


def test_successful_logins_sent_at_once_are_given_back(burst_app, user, monkeypatch):
    """Each attempt holds a place while in flight; a success gives it back afterwards."""
    senders = [partial(login_form(burst_app), PASSWORD) for _ in range(LIMIT)]

    assert send_at_once(monkeypatch, senders) == [302] * LIMIT
    failures = [login_form(burst_app)() for _ in range(LIMIT)]
    assert failures == [200] * LIMIT
    assert login_form(burst_app)() == 429


def test_wrong_current_passwords_sent_at_once_count_too(burst_app, user, monkeypatch):
    """The account pages' password check shares the limit, and holds under a burst too."""

    def password_form():
        browser = burst_app.test_client()
        token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)
        data = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
        assert browser.post("/auth/login", data=data).status_code == 302
        token = CSRF_TOKEN.search(browser.get("/account/password").get_data(as_text=True)).group(1)
        data = {
            "csrf_token": token,
            "current_password": WRONG,
            "password": "a brand new password",
            "confirm_password": "a brand new password",
        }
        return lambda: browser.post("/account/password", data=data).status_code

    senders = [password_form() for _ in range(BURST)]

    statuses = send_at_once(monkeypatch, senders)

    assert statuses == [200] * LIMIT + [429] * (BURST - LIMIT)


def test_an_attempt_the_storage_cannot_give_back_stays_counted(
    burst_app, auth, user, monkeypatch, caplog
):
    """A refund the storage refuses is logged; the login itself still succeeds."""
    storage = limiter.storage
    errors = storage.base_exceptions
    error = errors[0] if isinstance(errors, tuple) else errors
    real_incr = storage.incr

    def incr(key, expiry, amount=1):
        if amount < 0:
            raise error("the storage is gone")
        return real_incr(key, expiry, amount=amount)

    monkeypatch.setattr(storage, "incr", incr)

    assert auth.login().status_code == 302
    assert "Could not give back a failed-login attempt" in caplog.text

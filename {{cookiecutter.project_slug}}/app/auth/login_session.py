"""Logging in and out: one ``Login`` row per logged-in browser, its id in the session.

How a request finds its user: the session cookie holds a random id of a
session kept in Redis (Flask-Session); in it Flask-Login keeps the id of a
``Login`` (so does the remember-me cookie), and ``Login.find`` reads that
login with its user in one query. How a login is revoked: its row is
deleted, by ``log_out`` for this browser or ``end_logins_of`` for every
browser of a user, and the next request holding its id (from the session,
a copied session cookie or a remember-me cookie) is anonymous.

Logging in also throws away whatever the visitor's session held and moves
it to a new id, so an id planted or seen before the login is worth nothing
after it; a login from the remember-me cookie moves to a new id the same way.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request, session
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import delete

from app.auth.models import Login, User
from app.extensions import db
from app.infrastructure.database import utcnow

# Flask-Login's after-request hook deletes the remember-me cookie when it
# finds this value in the session.
CLEAR_REMEMBER_COOKIE = {"_remember": "clear"}
# What Flask-Login writes into the session when the remember-me cookie logs someone in.
REMEMBER_LOGIN_KEYS = ("_user_id", "_fresh", "_id")


def remember_cookie() -> str | None:
    """The remember-me cookie this request carries (Flask-Login's ``REMEMBER_COOKIE_NAME``)."""
    return request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))


def regenerate_session_id() -> None:
    """Move the session to a new id with Flask-Session's ``regenerate``, which deletes
    the stored session under the old id (it does nothing to an empty session).

    Flask's ``SessionInterface`` has no such method, and Flask-Session ships
    no types, hence ``Any``.
    """
    interface: Any = current_app.session_interface
    interface.regenerate(session)


def start_new_session(values: Mapping[str, Any]) -> None:
    """Empty the session, keep only ``values``, and move it to a new id."""
    session.clear()
    session.update(values)
    regenerate_session_id()


def log_in(user: User, remember: bool = False) -> None:
    """Log ``user`` in with a new ``Login``, on a brand-new session id."""
    login = Login(user)
    user.last_login_at = utcnow()
    db.session.add(login)
    db.session.execute(delete(Login).where(Login.user_id == user.id, ~Login.unexpired()))
    db.session.commit()
    session.clear()
    login_user(login, remember=remember)
    regenerate_session_id()


def log_out() -> None:
    """End this browser's login (its row, so its remember-me cookie too), then leave it."""
    db.session.execute(delete(Login).where(Login.id == current_user.get_id()))
    db.session.commit()
    leave_login()


def leave_login() -> None:
    """Forget this browser's login, which has ended: delete its session and its
    remember-me cookie, and start a new anonymous session (for the "logged out" message)."""
    logout_user()
    start_new_session(CLEAR_REMEMBER_COOKIE)


def end_logins_of(user: User) -> None:
    """Delete every login of ``user`` (the caller commits): each session and remember-me
    cookie of theirs, on every device, is anonymous from its next request on."""
    db.session.execute(delete(Login).where(Login.user_id == user.id))


def forget_ended_login() -> None:
    """Drop the id of a login that has ended from the session, and the remember-me
    cookie that held it (a session left empty is deleted from Redis)."""
    if "_user_id" in session:
        logout_user()


def move_cookie_login_to_new_session(_app: Flask, user: Login, **_extra: Any) -> None:
    """A remember-me login is a login too: keep only what Flask-Login just
    wrote and move it to a new session id, so a session id planted in the
    browser before it never becomes a logged-in one."""
    start_new_session({key: session[key] for key in REMEMBER_LOGIN_KEYS if key in session})

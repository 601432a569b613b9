"""Starting and ending a logged-in session, safe against session fixation.

Flask-Session keeps the data server-side under ``session:<id>``. Logging in
throws away whatever the visitor's session held and moves the user to a new
id, so an id planted before login (or seen before it) is worth nothing after.
A login from the remember-me cookie moves to a new id the same way.
Logging out signs the user out everywhere: it revokes the user's login id,
so a copied session or remember-me cookie is worthless afterwards, and
deletes every stored session of the user through the session index
(``app/infrastructure/session_index.py``). Without an index (development's
file sessions) the other devices' sessions end at their next check against
the database (``app/auth/session_user.py``). A fresh anonymous session
carries the "logged out" message.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import login_user, logout_user

from app.auth.models import User
from app.auth.session_user import SNAPSHOT_KEY, SessionUser, remember_in_session
from app.extensions import db
from app.infrastructure.session_index import OWNER_KEY, end_sessions_of

# Flask-Login's after-request hook deletes the remember-me cookie when it
# finds this value in the session.
CLEAR_REMEMBER_COOKIE = {"_remember": "clear"}
# What Flask-Login and the user loader write into the session when the
# remember-me cookie logs someone in.
REMEMBER_LOGIN_KEYS = ("_user_id", "_fresh", SNAPSHOT_KEY, OWNER_KEY)


def regenerate_session_id() -> None:
    """Move the session to a new id with Flask-Session's ``regenerate``.

    Flask's ``SessionInterface`` has no such method, and Flask-Session ships no
    types: the app's interface (``app/infrastructure/sessions.py``) passes the
    call on to Flask-Session's own.
    """
    interface: Any = current_app.session_interface
    interface.regenerate(session)


def start_new_session(values: Mapping[str, Any]) -> None:
    """Empty the session, keep only ``values``, and move it to a new id.

    ``regenerate`` deletes the stored session under the old id, so whoever
    knew that id is left holding nothing.
    """
    session.clear()
    session.update(values)
    regenerate_session_id()


def log_in(user: User, remember: bool = False) -> None:
    """Log ``user`` in on a brand-new session id.

    Flask-Session's ``regenerate`` does nothing on an empty session, so the
    order matters: clear, write the user id, then regenerate.
    """
    session.clear()
    if login_user(user, remember=remember):
        remember_in_session(user)
    regenerate_session_id()


def log_out() -> None:
    """Revoke the user's logins, delete their stored sessions and this browser's
    remember-me cookie, and start a new anonymous session."""
    user = g.user.load()
    if user is not None:
        user.revoke_logins()
        db.session.commit()
        end_sessions_of(user.id)
    logout_user()
    start_new_session(CLEAR_REMEMBER_COOKIE)


def move_cookie_login_to_new_session(_app: Flask, user: SessionUser, **_extra: Any) -> None:
    """A remember-me login is a login too: keep only what Flask-Login just
    wrote and move it to a new session id, so a session id planted in the
    browser before it never becomes a logged-in one."""
    start_new_session({key: session[key] for key in REMEMBER_LOGIN_KEYS if key in session})

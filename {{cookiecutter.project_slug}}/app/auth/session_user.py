"""Who is logged in, read from the server-side session instead of the database.

Logging in stores a small snapshot of the user in the session (the columns
pages show, and when the database last confirmed them). Later page views
find the user there, in the one Redis round trip the session costs anyway,
so an ordinary logged-in page needs no query to know who is asking.

Safe because the session is server-side: the cookie holds only a random id,
and the snapshot is written only here, from a row just read from the
database. Every ``SESSION_USER_RECHECK_SECONDS`` (60 by default) the next
page view reads the row again: a revoked login id (``revoke_logins``, which
logout calls) or a deleted user ends the session then, and a changed email
shows up. That delay is the trade-off: set it to 0 to check on every
request, at the cost of one query and one session write per page view.

Changes that must not wait do not: a password change, a reset or a deleted
account end the user's stored sessions at once (``app/auth/revocation.py``),
and a confirmed or changed address makes every session of the user read the
row at its next page view (``recheck_everywhere``). Development without
Redis keeps no list of a user's sessions, so there every page view reads
the row.
"""

import time
from collections.abc import Mapping
from typing import Any

from flask import current_app, session
from flask_login import UserMixin

from app.auth.models import User
from app.infrastructure.session_index import OWNER_KEY, has_session_index, rewrite_sessions_of

# The session key holding the snapshot, beside Flask-Login's own "_user_id".
SNAPSHOT_KEY = "_user"


class SessionUser(UserMixin):
    """The logged-in user as the session remembers them: what pages show, no query.

    ``g.user`` is one of these on the site's pages. A view that changes the
    account (or needs more columns) loads the row with ``load()``.
    """

    def __init__(self, snapshot: Mapping[str, Any], login_id: str) -> None:
        self.id = snapshot["id"]
        self.email = snapshot["email"]
        self.created_at = snapshot["created_at"]
        self.last_login_at = snapshot["last_login_at"]
        self.email_confirmed = snapshot.get("email_confirmed", False)
        self.login_id = login_id

    def get_id(self) -> str:
        """Flask-Login's id for the session and remember-me cookie: the revocable login id."""
        return self.login_id

    def load(self) -> User | None:
        """The user's database row, or None once this login was revoked or the user is gone."""
        return User.find_by_login_id(self.login_id)

    def __repr__(self) -> str:
        return f"<SessionUser {self.id} {self.email}>"


def remember_in_session(user: User) -> SessionUser:
    """Store the snapshot of ``user`` (a ``User`` row just read) and return it as a SessionUser."""
    snapshot = {
        "login_id": user.login_id,
        "id": user.id,
        "email": user.email,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "email_confirmed": user.email_confirmed,
        "checked_at": time.time(),
    }
    session[SNAPSHOT_KEY] = snapshot
    # Lists the session among the user's, so it can be ended from elsewhere.
    session[OWNER_KEY] = user.id
    return SessionUser(snapshot, user.login_id)


def is_fresh(snapshot: Mapping[str, Any]) -> bool:
    """True while the database confirmed the snapshot recently enough to trust it.

    Never without a list of the user's sessions (the file store): nothing
    else could tell this session that its login was revoked.
    """
    if not has_session_index():
        return False
    max_age = current_app.config["SESSION_USER_RECHECK_SECONDS"]
    return time.time() - snapshot["checked_at"] < max_age


def recheck_everywhere(user: User) -> None:
    """Make each logged-in session of ``user`` read the row at its next page view.

    For changes the pages show (a confirmed or a new address) that should
    not wait for ``SESSION_USER_RECHECK_SECONDS``. This request's own
    snapshot is renewed on the spot when it is the same user's.
    """

    def mark_stale(data: dict[str, Any]) -> None:
        if isinstance(data.get(SNAPSHOT_KEY), dict):
            data[SNAPSHOT_KEY]["checked_at"] = 0

    rewrite_sessions_of(user.id, mark_stale)
    if session.get(OWNER_KEY) == user.id:
        remember_in_session(user)


def load_session_user(login_id: str) -> SessionUser | None:
    """Flask-Login's loader: the user for the login id in the session or remember-me cookie.

    A fresh snapshot taken for this very login id answers without a query.
    Otherwise (a remember-me login, a snapshot due for a check) the row is
    read by login id, so a revoked id finds nobody, and the snapshot renewed.
    """
    snapshot = session.get(SNAPSHOT_KEY)
    if snapshot is not None and snapshot.get("login_id") == login_id and is_fresh(snapshot):
        return SessionUser(snapshot, login_id)
    user = User.find_by_login_id(login_id)
    if user is None:
        session.pop(SNAPSHOT_KEY, None)
        return None
    return remember_in_session(user)

"""Revoking every login of a user at once: after a password reset or change, or a deletion.

Three things end, and none waits for ``SESSION_USER_RECHECK_SECONDS``:

* every remember-me cookie, and any session's copy of the login, by a new
  ``login_id`` (``User.revoke_logins``);
* every stored session, deleted from Redis through the user's session index
  (``app/infrastructure/session_index.py``), so its next request is anonymous;
* anything another part grants{% if cookiecutter.use_api %} (the API's bearer tokens){% endif %}, through the
  ``logins_revoked`` signal, deleted in the same transaction.

Development without Redis keeps no session index: there each page view
checks the login against the database, so the other sessions end at their
next request all the same (``app/auth/session_user.py``).
"""

from flask import current_app, g, request
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from app.auth.login_session import log_in, log_out
from app.auth.models import User
from app.auth.signals import logins_revoked
from app.extensions import db
from app.infrastructure.session_index import end_sessions_of


def revoke_everything(user: User, keep_current: bool = False) -> None:
    """End every session, remember-me cookie and token of ``user``, then commit.

    With ``keep_current`` this browser stays logged in, on a new session id
    (and a new remember-me cookie if it had one): the owner who just changed
    the password is not sent to the login form. Without it, this browser is
    logged out too when it was logged in as ``user``.
    """
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    had_remember_cookie = cookie_name in request.cookies
    is_this_browser = g.get("user") is not None and g.user.id == user.id
    user.revoke_logins()
    logins_revoked.send(current_app._get_current_object(), user_id=user.id)  # type: ignore[attr-defined]
    db.session.commit()
    end_sessions_of(user.id)
    if keep_current and is_this_browser:
        log_in(user, remember=had_remember_cookie)
    elif is_this_browser:
        log_out()


def delete_account(user: User) -> None:
    """Delete ``user`` with everything of theirs, end their sessions, log this browser out.

    The rows that belong to the user go with it (``ON DELETE CASCADE`` on
    every foreign key to ``users``); the ``logins_revoked`` signal lets
    other parts clean up what the database cannot.
    """
    user_id = user.id
    logins_revoked.send(current_app._get_current_object(), user_id=user_id)  # type: ignore[attr-defined]
    db.session.delete(user)
    db.session.commit()
    end_sessions_of(user_id)
    log_out()

"""Flask-Login, set up for this app: who is logged in (a ``Login``), and what happens
when the remember-me cookie logs someone in.

The manager object lives in ``app/extensions.py``.
"""

from flask import Flask, request, session
from flask_login import user_loaded_from_cookie

from app.auth.login_session import (
    CLEAR_REMEMBER_COOKIE,
    move_cookie_login_to_new_session,
    remember_cookie,
)
from app.auth.models import Login
from app.extensions import login_manager
from app.infrastructure.sessions import is_sessionless


def ignore_malformed_remember_cookie() -> None:
    """Have Flask-Login ignore, and delete, a remember-me cookie that is not ASCII.

    We never sign such a cookie, and Flask-Login 0.6 compares its signature
    with ``hmac.compare_digest``, which raises ``TypeError`` for non-ASCII
    text: a hand-made cookie would turn every page into a 500. Flask-Login
    skips (and deletes) the cookie while the session says ``_remember: clear``.
    A request hook, registered before the guard loads the user; views that never
    use the session (``/health``) are left alone, as by the guard.
    """
    if is_sessionless(request.endpoint):
        return
    cookie = remember_cookie()
    if cookie is not None and not cookie.isascii():
        session.update(CLEAR_REMEMBER_COOKIE)


def load_login(login_id: str) -> Login | None:
    """Flask-Login's loader: the login (with its user) behind the session's or
    remember-me cookie's id, or None once that login has ended."""
    return Login.find(login_id)


def init_app(app: Flask) -> None:
    """Bind Flask-Login to the app, with the login loader and the remember-me signal.

    Templates read ``g.user``, never Flask-Login's ``current_user``: its
    context processor would load the user for every template rendered,
    the outage page included (``app/web/errors.py``), so it is left out.
    """
    login_manager.init_app(app, add_context_processor=False)
    login_manager.user_loader(load_login)
    user_loaded_from_cookie.connect(move_cookie_login_to_new_session)

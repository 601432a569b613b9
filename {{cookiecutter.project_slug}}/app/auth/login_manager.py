"""Flask-Login, set up for this app: who is logged in, and what happens when someone logs in.

The manager object lives in ``app/extensions.py`` (its class, in
``app/compat/flask_login.py``, refuses malformed remember-me cookies).
"""

from typing import Any

from flask import Flask
from flask_login import user_loaded_from_cookie, user_logged_in

from app.auth.login_session import move_cookie_login_to_new_session
from app.auth.models import User
from app.auth.session_user import load_session_user
from app.extensions import db, login_manager
from app.infrastructure.database import utcnow


def record_login(_app: Flask, user: User, **_extra: Any) -> None:
    """Keep ``last_login_at`` up to date whenever Flask-Login logs someone in."""
    user.last_login_at = utcnow()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Bind Flask-Login to the app, with the user loader and the login signals.

    Templates read ``g.user``, never Flask-Login's ``current_user``: its
    context processor would load the user for every template rendered,
    the outage page included (``app/web/errors.py``), so it is left out.
    """
    login_manager.init_app(app, add_context_processor=False)
    # Flask-Login asks this for the user behind the session's or remember-me cookie's login id.
    login_manager.user_loader(load_session_user)
    user_logged_in.connect(record_login)
    user_loaded_from_cookie.connect(move_cookie_login_to_new_session)

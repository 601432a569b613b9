"""Server-side sessions through Flask-Session.

The browser's cookie carries only a random session id; the data lives in
Redis under ``session:<id>`` (``app/compat/flask_session.py`` makes a page
view cost one round trip). Development without ``REDIS_URL`` keeps sessions
in files under ``instance/sessions`` so nothing needs installing.

While Redis is down, a request that carries a session cookie (or that would
save a session) is answered 503 quickly, and touches Redis only once: the
error page is rendered with a stand-in session that is never saved.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cachelib.file import FileSystemCache
from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SessionInterface, SessionMixin
from flask_session import Session

from app.compat.flask_session import MsgpackOnlySerializer, SlidingRedisSessions
from app.infrastructure import SERVICE_OUTAGES

# Enough for a developer's browsers; the store prunes beyond it.
FILE_STORE_THRESHOLD = 1000
# Where a request keeps the session store's outage, once it has met one.
OUTAGE_KEY = "app.session_store_outage"

View = TypeVar("View", bound=Callable[..., Any])


class UnavailableSession(SecureCookieSession):
    """Stands in for the session while its store is down: it takes writes, saves nothing."""


class RedisSessions(SlidingRedisSessions):
    """The Redis store, meeting an outage once per request.

    A failure to load the session is remembered and raised again by the
    ``raise_session_outage`` request hook, so it is answered by the usual
    503 handler, with a working (empty) session for the error page. After a
    failed load or save, the session is not saved again: a second wait on a
    dead server would only delay the 503.
    """

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """The stored session, or an ``UnavailableSession`` when the store is down."""
        try:
            return super().open_session(app, request)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            return UnavailableSession()

    def is_null_session(self, obj: object) -> bool:
        """True for sessions Flask must not save, the stand-in included."""
        return isinstance(obj, UnavailableSession) or super().is_null_session(obj)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save, unless the store already failed during this request."""
        if OUTAGE_KEY in request.environ:
            return
        try:
            super().save_session(app, session, response)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            raise


def without_session(view: View) -> View:
    """Mark a view that never uses the session or the logged-in user, so it still
    runs while the session store or the database is down (``/health``)."""
    # A marker attribute, read by is_sessionless; functions take any.
    view.without_session = True  # type: ignore[attr-defined]
    return view


def is_sessionless(endpoint: str | None) -> bool:
    """True for views marked ``@without_session``."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "without_session", False)


def raise_session_outage() -> None:
    """Raise the error met while loading the session, before any view or hook uses it.

    A request hook: the factory runs it before every hook that reads the session.
    """
    error = request.environ.get(OUTAGE_KEY)
    if error is not None and not is_sessionless(request.endpoint):
        raise error


def init_app(app: Flask) -> None:
    """Pick the session store for this app and install it."""
    client = app.extensions["redis"].client  # set up by redis_client.init_app just before
    if client is not None:
        interface: Any = RedisSessions(
            app,
            client=client,
            key_prefix=app.config["SESSION_KEY_PREFIX"],
            permanent=app.config["SESSION_PERMANENT"],
        )
    else:
        interface = file_sessions(app)
    interface.serializer = MsgpackOnlySerializer()
    app.session_interface = interface


def file_sessions(app: Flask) -> SessionInterface:
    """Flask-Session's file store under ``instance/sessions``, for development without Redis."""
    directory = Path(app.instance_path) / "sessions"
    app.config["SESSION_TYPE"] = "cachelib"
    app.config["SESSION_CACHELIB"] = FileSystemCache(
        str(directory), threshold=FILE_STORE_THRESHOLD, mode=0o600
    )
    app.logger.info("REDIS_URL is not set: sessions are kept in files under %s", directory)
    Session(app)  # Flask-Session builds its cachelib interface from the settings above
    return app.session_interface

"""Server-side sessions through Flask-Session.

The browser's cookie carries only a random session id; the data lives in
Redis under ``session:<id>`` (``app/compat/flask_session.py`` makes a page
view cost one round trip). Development without ``REDIS_URL`` keeps sessions
in files under ``instance/sessions`` so nothing needs installing.

While Redis is down, a request that carries a session cookie (or that would
save a session) is answered 503 quickly, and touches Redis only once: the
error page is rendered with a stand-in session that is never saved.

Each user's sessions are listed in Redis (``session-index:<user id>``, a
sorted set of session ids), so that ``end_sessions_of`` can end all of them
at once, on every device, when the password changes. A session is listed
when it is written with ``OWNER_KEY`` in it, in the same round trip as the
session itself; an unchanged page view writes nothing and costs nothing
more. The file store of development keeps no such list.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from cachelib.file import FileSystemCache
from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SessionInterface, SessionMixin
from flask_session.base import ServerSideSession
from redis.client import Pipeline

from app.compat.flask_session import MsgpackOnlySerializer, SlidingRedisSessions
from app.extensions import redis_store, server_session
from app.infrastructure import SERVICE_OUTAGES

# Enough for a developer's browsers; the store prunes beyond it.
FILE_STORE_THRESHOLD = 1000
# Where a request keeps the session store's outage, once it has met one.
OUTAGE_KEY = "app.session_store_outage"
# The session key naming who a session belongs to (a user id), written at login.
OWNER_KEY = "_owner"
INDEX_PREFIX = "session-index:"

View = TypeVar("View", bound=Callable[..., Any])


class UnavailableSession(SecureCookieSession):
    """Stands in for the session while its store is down: it takes writes, saves nothing."""


class OutageTolerantSessions(SessionInterface):
    """Wraps Flask-Session's interface so that a store outage is met once per request.

    A failure to load the session is remembered and raised again by the
    ``raise_session_outage`` request hook, so it is answered by the usual
    503 handler, with a working (empty) session for the error page. After a
    failed load or save, the session is not saved again: a second wait on a
    dead server would only delay the 503.
    """

    def __init__(self, interface: SessionInterface) -> None:
        self.interface = interface

    def __getattr__(self, name: str) -> Any:
        return getattr(self.interface, name)

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """The stored session, or an ``UnavailableSession`` when the store is down."""
        try:
            return self.interface.open_session(app, request)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            return UnavailableSession()

    def is_null_session(self, obj: object) -> bool:
        """True for sessions Flask must not save, the stand-in included."""
        return isinstance(obj, UnavailableSession) or self.interface.is_null_session(obj)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save, unless the store already failed during this request."""
        if OUTAGE_KEY in request.environ:
            return
        try:
            self.interface.save_session(app, session, response)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            raise


class IndexedRedisSessions(SlidingRedisSessions):
    """The Redis store, listing each session that has an owner in the owner's index.

    The index is a sorted set of session ids, each scored with the latest
    time its session can still exist. A session slides its expiry at every
    read without being written, so the score allows for that: a logged-in
    session is written again at least every ``SESSION_USER_RECHECK_SECONDS``
    while it is used (``app/auth/session_user.py`` renews its snapshot),
    and is forgotten by Redis after ``PERMANENT_SESSION_LIFETIME`` unused.
    Entries past their score are dropped whenever the index is written.
    """

    def also_write(
        self, pipeline: Pipeline, session: ServerSideSession, session_lifetime: timedelta
    ) -> None:
        """List the session under its owner, in the pipeline that saves it."""
        owner = session.get(OWNER_KEY)
        if owner is None:
            return
        now = time.time()
        keep_for = (
            int(session_lifetime.total_seconds())
            + current_app.config["SESSION_USER_RECHECK_SECONDS"]
        )
        key = index_key(owner)
        pipeline.zadd(key, {session.sid: now + keep_for})
        pipeline.zremrangebyscore(key, "-inf", now)
        pipeline.expire(key, keep_for)


def index_key(owner: object) -> str:
    """The Redis key listing the sessions of ``owner``."""
    return f"{INDEX_PREFIX}{owner}"


def has_session_index() -> bool:
    """True when sessions live in Redis and each user's are listed (not the file store)."""
    interface = getattr(current_app.session_interface, "interface", None)
    return isinstance(interface, IndexedRedisSessions)


def sessions_of(owner: object) -> list[str]:
    """The ids of the sessions listed under ``owner`` (some may have expired since)."""
    client = redis_store.client
    assert client is not None  # an index exists only with Redis (has_session_index)
    found = cast(list[bytes], client.zrange(index_key(owner), 0, -1))
    return [sid.decode() for sid in found]


def end_sessions_of(owner: object) -> bool:
    """Delete every stored session of ``owner``, on every device; False without an index.

    A request of one of them still in flight cannot bring its session
    back: a session read from Redis is only updated in place (SET XX).
    """
    if not has_session_index():
        return False
    session_ids = sessions_of(owner)
    if session_ids:
        prefix = current_app.config["SESSION_KEY_PREFIX"]
        client = redis_store.client
        assert client is not None
        pipeline = client.pipeline(transaction=False)
        pipeline.delete(*(prefix + sid for sid in session_ids))
        # The listed ids only: a session listed meanwhile (a new login) stays listed.
        pipeline.zrem(index_key(owner), *session_ids)
        pipeline.execute()
    return True


def rewrite_sessions_of(owner: object, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the stored data of each of ``owner``'s sessions (none without an index).

    Each session keeps its expiry, and one that ended meanwhile stays ended.
    """
    if not has_session_index():
        return
    session_ids = sessions_of(owner)
    if not session_ids:
        return
    prefix = current_app.config["SESSION_KEY_PREFIX"]
    client = redis_store.client
    assert client is not None
    serializer = current_app.session_interface.interface.serializer  # type: ignore[attr-defined]
    stored = client.mget([prefix + sid for sid in session_ids])
    pipeline = client.pipeline(transaction=False)
    for sid, data in zip(session_ids, stored, strict=True):
        values = serializer.decode(data) if data else None
        if values is None:
            continue
        change(values)
        pipeline.set(prefix + sid, serializer.encode(values), keepttl=True, xx=True)
    pipeline.execute()


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
        interface: Any = IndexedRedisSessions(
            app,
            client=client,
            key_prefix=app.config["SESSION_KEY_PREFIX"],
            permanent=app.config["SESSION_PERMANENT"],
        )
    else:
        interface = file_sessions(app)
    interface.serializer = MsgpackOnlySerializer()
    app.session_interface = OutageTolerantSessions(interface)


def file_sessions(app: Flask) -> SessionInterface:
    """Flask-Session's file store under ``instance/sessions``, for development without Redis."""
    directory = Path(app.instance_path) / "sessions"
    app.config["SESSION_TYPE"] = "cachelib"
    app.config["SESSION_CACHELIB"] = FileSystemCache(
        str(directory), threshold=FILE_STORE_THRESHOLD, mode=0o600
    )
    app.logger.info("REDIS_URL is not set: sessions are kept in files under %s", directory)
    server_session.init_app(app)
    return app.session_interface

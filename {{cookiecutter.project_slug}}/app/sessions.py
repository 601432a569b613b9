"""Server-side sessions through Flask-Session.

The browser's cookie carries only a random session id; the data lives in
Redis under ``session:<id>``. Development without ``REDIS_URL`` keeps
sessions in files under ``instance/sessions`` so nothing needs installing.

While Redis is down, a request that carries a session cookie (or that would
save a session) is answered 503 quickly, and touches Redis only once: the
error page is rendered with a stand-in session that is never saved.

On Redis, a page view that changes nothing in the session costs one round
trip: ``GETEX`` reads the session and pushes its expiry back in the same
command (sliding expiry), and the session is written only when it changed.
Flask-Session alone would ``GET`` it and then ``SET`` it again on every
request, just to move the expiry.
"""

from pathlib import Path

import msgspec
from cachelib.file import FileSystemCache
from flask import current_app, request
from flask.sessions import SecureCookieSession
from flask_session.redis import RedisSessionInterface

from app.errors import SERVICE_OUTAGES
from app.extensions import server_session

# Enough for a developer's browsers; the store prunes beyond it.
FILE_STORE_THRESHOLD = 1000
# Where a request keeps the session store's outage, once it has met one.
OUTAGE_KEY = "app.session_store_outage"


class MsgpackOnlySerializer:
    """Session data as MessagePack, and nothing else.

    Flask-Session 0.8 falls back to ``pickle.loads`` for stored data it cannot
    decode, so anyone able to write one key into Redis could run code in the
    app. This serializer reads only what it writes; anything else counts as
    no session at all (the visitor gets a new, empty one with a new id).
    """

    def __init__(self):
        self.encoder = msgspec.msgpack.Encoder()
        self.decoder = msgspec.msgpack.Decoder()

    def encode(self, session):
        """The session's items as MessagePack bytes."""
        return self.encoder.encode(dict(session))

    def decode(self, data):
        """The stored session as a dict, or None when it is not one we wrote."""
        try:
            value = self.decoder.decode(data)
        except msgspec.DecodeError:
            value = None
        if not isinstance(value, dict):
            current_app.logger.warning("Ignored stored session data that is not ours")
            return None
        return value


class SlidingRedisSessions(RedisSessionInterface):
    """Flask-Session's Redis store, reading each session once and writing it only when changed.

    ``GETEX key EX <lifetime>`` (Redis 6.2+) returns the session and restarts
    its idle timer, so an idle session still expires after
    ``PERMANENT_SESSION_LIFETIME`` while an active one never does, without
    a write. The session cookie has no expiry of its own (``SESSION_PERMANENT
    = False``), so it needs no refreshing either.

    A session read from Redis is only ever updated in place (``SET ... XX``),
    never created again: when another request deleted it meanwhile (logging
    out), this request's late write is dropped instead of bringing the
    logged-out session back. New and regenerated ids are created as usual.
    """

    def open_session(self, app, request):
        """The session, remembering under which id it was found in Redis (if it was)."""
        session = super().open_session(app, request)
        if session.sid == request.cookies.get(app.config["SESSION_COOKIE_NAME"]):
            session.stored_sid = session.sid  # the cookie's id: its data came from Redis
        return session

    def _upsert_session(self, session_lifetime, session, store_id):
        """Write the session; one read from Redis only if it still exists there."""
        self.client.set(
            store_id,
            self.serializer.encode(session),
            ex=int(session_lifetime.total_seconds()),
            xx=getattr(session, "stored_sid", None) == session.sid,
        )

    def _retrieve_session_data(self, store_id):
        """The stored session (its expiry pushed back), or None."""
        lifetime = int(current_app.permanent_session_lifetime.total_seconds())
        data = self.client.getex(store_id, ex=lifetime)
        return self.serializer.decode(data) if data else None

    def should_set_storage(self, app, session):
        """Write only a session that changed; reading it already slid its expiry."""
        return session.modified


class UnavailableSession(SecureCookieSession):
    """Stands in for the session while its store is down: it takes writes, saves nothing."""


class OutageTolerantSessions:
    """Wraps Flask-Session's interface so that a store outage is met once per request.

    A failure to load the session is remembered and raised again by the first
    ``before_request`` hook (``raise_session_outage``), so it is answered by
    the usual 503 handler, with a working (empty) session for the error page.
    After a failed load or save, the session is not saved again: a second
    wait on a dead server would only delay the 503.
    """

    def __init__(self, interface):
        self.interface = interface

    def __getattr__(self, name):
        return getattr(self.interface, name)

    def open_session(self, app, request):
        """The stored session, or an ``UnavailableSession`` when the store is down."""
        try:
            return self.interface.open_session(app, request)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            return UnavailableSession()

    def is_null_session(self, obj):
        """True for sessions Flask must not save, the stand-in included."""
        return isinstance(obj, UnavailableSession) or self.interface.is_null_session(obj)

    def save_session(self, app, session, response):
        """Save, unless the store already failed during this request."""
        if OUTAGE_KEY in request.environ:
            return
        try:
            self.interface.save_session(app, session, response)
        except SERVICE_OUTAGES as error:
            request.environ[OUTAGE_KEY] = error
            raise


def without_session(view):
    """Mark a view that never uses the session or the logged-in user, so it still
    runs while the session store or the database is down (``/health``)."""
    view.without_session = True
    return view


def is_sessionless(endpoint):
    """True for views marked ``@without_session``."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "without_session", False)


def raise_session_outage():
    """Raise the error met while loading the session, before any view or hook uses it."""
    error = request.environ.get(OUTAGE_KEY)
    if error is not None and not is_sessionless(request.endpoint):
        raise error


def init_sessions(app):
    """Pick the session store for this app and install it."""
    client = app.extensions["redis"].client  # set up by redis_store.init_app just before
    if client is not None:
        interface = SlidingRedisSessions(
            app,
            client=client,
            key_prefix=app.config["SESSION_KEY_PREFIX"],
            permanent=app.config["SESSION_PERMANENT"],
        )
    else:
        interface = file_sessions(app)
    interface.serializer = MsgpackOnlySerializer()
    app.session_interface = OutageTolerantSessions(interface)
    app.before_request_funcs.setdefault(None, []).insert(0, raise_session_outage)


def file_sessions(app):
    """Flask-Session's file store under ``instance/sessions``, for development without Redis."""
    directory = Path(app.instance_path) / "sessions"
    app.config["SESSION_TYPE"] = "cachelib"
    app.config["SESSION_CACHELIB"] = FileSystemCache(
        str(directory), threshold=FILE_STORE_THRESHOLD, mode=0o600
    )
    app.logger.info("REDIS_URL is not set: sessions are kept in files under %s", directory)
    server_session.init_app(app)
    return app.session_interface

"""Flask-Session's Redis store, made to cost one Redis round trip per page view.

Flask-Session 0.8 reads a session with ``GET`` and then writes it back with
``SET`` on every request, only to push its expiry back. This subclass reads
it with ``GETEX``, which slides the expiry in the same command (Redis 6.2+),
and writes only a session that changed. It also refuses to bring back a
session that another request deleted meanwhile (a logout): a session read
from Redis is only ever updated in place (``SET ... XX``). A subclass may
write more in the same round trip (``also_write``: the app keeps an index
of each user's sessions there, ``app/infrastructure/session_index.py``).

Relies on (checked by ``tests/test_compat.py``): the subclass hooks
``RedisSessionInterface._retrieve_session_data(store_id)`` and
``_upsert_session(session_lifetime, session, store_id)``, which
``ServerSideSessionInterface.open_session`` / ``save_session`` call, and the
``serializer`` attribute they use.
"""

from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask, Request, current_app
from flask_session.base import ServerSideSession
from flask_session.redis import RedisSessionInterface
from redis.client import Pipeline

# The private names this module overrides or uses, for tests/test_compat.py.
RELIES_ON = (
    (RedisSessionInterface, "_retrieve_session_data"),
    (RedisSessionInterface, "_upsert_session"),
    (RedisSessionInterface, "serializer"),
)


class MsgpackOnlySerializer:
    """Session data as MessagePack, and nothing else.

    Flask-Session 0.8 falls back to ``pickle.loads`` for stored data it cannot
    decode, so anyone able to write one key into Redis could run code in the
    app. This serializer reads only what it writes; anything else counts as
    no session at all (the visitor gets a new, empty one with a new id).
    """

    def __init__(self) -> None:
        self.encoder = msgspec.msgpack.Encoder()
        self.decoder = msgspec.msgpack.Decoder()

    def encode(self, session: ServerSideSession) -> bytes:
        """The session's items as MessagePack bytes."""
        return self.encoder.encode(dict(session))

    def decode(self, data: bytes) -> dict[str, Any] | None:
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

    ``GETEX key EX <lifetime>`` returns the session and restarts its idle
    timer, so an idle session still expires after ``PERMANENT_SESSION_LIFETIME``
    while an active one never does, without a write. The session cookie has
    no expiry of its own (``SESSION_PERMANENT = False``), so it needs no
    refreshing either.
    """

    def open_session(self, app: Flask, request: Request) -> ServerSideSession:
        """The session, remembering under which id it was found in Redis (if it was)."""
        session = super().open_session(app, request)
        if session.sid == request.cookies.get(app.config["SESSION_COOKIE_NAME"]):
            session.stored_sid = session.sid  # the cookie's id: its data came from Redis
        return session

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        """Write the session (one read from Redis only if it still exists there),
        with whatever ``also_write`` adds, in one round trip."""
        pipeline = self.client.pipeline(transaction=False)
        pipeline.set(
            store_id,
            self.serializer.encode(session),
            ex=int(session_lifetime.total_seconds()),
            xx=getattr(session, "stored_sid", None) == session.sid,
        )
        self.also_write(pipeline, session, session_lifetime)
        pipeline.execute()

    def also_write(
        self, pipeline: Pipeline, session: ServerSideSession, session_lifetime: timedelta
    ) -> None:
        """Add commands to the pipeline that saves ``session``; none by default."""

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        """The stored session (its expiry pushed back), or None."""
        lifetime = int(current_app.permanent_session_lifetime.total_seconds())
        data = self.client.getex(store_id, ex=lifetime)
        return self.serializer.decode(data) if data else None

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        """Write only a session that changed; reading it already slid its expiry."""
        return bool(session.modified)

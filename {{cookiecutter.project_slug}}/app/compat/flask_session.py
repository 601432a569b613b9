"""Flask-Session's Redis store, made to cost one Redis round trip per page view.

Flask-Session 0.8 reads a session with ``GET`` and then writes it back with
``SET`` on every request, only to push its expiry back. This subclass reads
it with ``GETEX``, which slides the expiry in the same command (Redis 6.2+),
and writes only a session that changed: half the round trips of a page
view.

Relies on (checked by ``tests/test_compat.py``): the subclass hook
``RedisSessionInterface._retrieve_session_data(store_id)``, which
``ServerSideSessionInterface.open_session`` calls, and the ``serializer``
attribute it uses.
"""

from typing import Any

import msgspec
from flask import Flask, current_app
from flask_session.base import ServerSideSession
from flask_session.redis import RedisSessionInterface

# The private names this module overrides or uses, for tests/test_compat.py.
RELIES_ON = (
    (RedisSessionInterface, "_retrieve_session_data"),
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

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        """The stored session (its expiry pushed back), or None."""
        lifetime = int(current_app.permanent_session_lifetime.total_seconds())
        data = self.client.getex(store_id, ex=lifetime)
        return self.serializer.decode(data) if data else None

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        """Write only a session that changed; reading it already slid its expiry."""
        return bool(session.modified)

"""Server-side sessions through Flask-Session.

The browser's cookie carries only a random session id; the data lives in
Redis under ``session:<id>``. Development without ``REDIS_URL`` keeps
sessions in files under ``instance/sessions`` so nothing needs installing.
"""

from pathlib import Path

import msgspec
from cachelib.file import FileSystemCache
from flask import current_app

from app.extensions import server_session

# Enough for a developer's browsers; the store prunes beyond it.
FILE_STORE_THRESHOLD = 1000


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


def init_sessions(app):
    """Pick the session store for this app and install Flask-Session."""
    client = app.extensions["redis"].client  # set up by redis_store.init_app just before
    if client is not None:
        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = client
    else:
        directory = Path(app.instance_path) / "sessions"
        app.config["SESSION_TYPE"] = "cachelib"
        app.config["SESSION_CACHELIB"] = FileSystemCache(
            str(directory), threshold=FILE_STORE_THRESHOLD, mode=0o600
        )
        app.logger.info("REDIS_URL is not set: sessions are kept in files under %s", directory)
    server_session.init_app(app)
    app.session_interface.serializer = MsgpackOnlySerializer()

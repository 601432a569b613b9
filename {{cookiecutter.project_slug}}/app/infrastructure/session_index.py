"""Each user's sessions, listed in Redis, so that all of them can be ended at once.

A password change, a reset or a deleted account must end the user's other
sessions for their very next request. Checking a marker on every request
would cost a Redis round trip per page view; instead each user's session
ids are kept in a sorted set, ``session-index:<user id>``, and
``end_sessions_of`` deletes the sessions it lists.

A session is listed when it is saved with ``OWNER_KEY`` in it (the login
code writes it), in the same pipelined round trip as the session itself
(``also_write``, ``app/compat/flask_session.py``); an unchanged page view
writes nothing and costs nothing more. The file store of development
keeps no such list (``has_session_index`` is False there).
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_session.base import ServerSideSession
from redis.client import Pipeline

from app.compat.flask_session import SlidingRedisSessions
from app.infrastructure.redis_client import redis_store

# The session key naming who a session belongs to (a user id), written at login.
OWNER_KEY = "_owner"
INDEX_PREFIX = "session-index:"


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

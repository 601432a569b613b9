"""The cap on the sockets one user may have open at once, counted across every instance.

Each open socket holds a slot: a member of the user's sorted set in Redis
(``realtime:sockets:user:<id>``) whose score is when it lapses. The hub
renews its sockets' slots at each check; a slot whose process died lapses
by itself within ``SLOT_LIFETIME_CHECKS`` checks, so a crash never leaves a
user locked out.
"""

import time
from collections.abc import Iterable

from flask import Flask

from app.realtime.broker import broker_client
from app.realtime.hub import Socket

# A slot lapses unless renewed within this many checks (REALTIME_SESSION_CHECK_SECONDS).
SLOT_LIFETIME_CHECKS = 5
MIN_SLOT_LIFETIME_SECONDS = 10.0


def slots_key(app: Flask, user_id: int) -> str:
    """The sorted set of one user's slots."""
    return f"{app.config['REALTIME_KEY_PREFIX']}sockets:user:{user_id}"


def lifetime(app: Flask) -> float:
    """Seconds a slot lasts unless renewed."""
    interval = app.config["REALTIME_SESSION_CHECK_SECONDS"]
    return max(MIN_SLOT_LIFETIME_SECONDS, SLOT_LIFETIME_CHECKS * interval)


def claim(app: Flask, sock: Socket) -> bool:
    """Take a slot for ``sock``; False when its user already has the most allowed.

    One transaction drops the user's lapsed slots, adds this one and
    counts; a socket over the cap gives its slot straight back.
    """
    client = broker_client(app)
    assert client is not None  # views.py opens no socket without a broker
    key, now = slots_key(app, sock.listener.user_id), time.time()
    pipe = client.pipeline(transaction=True)
    pipe.zremrangebyscore(key, "-inf", now)
    pipe.zadd(key, {sock.id: now + lifetime(app)})
    pipe.zcard(key)
    pipe.expire(key, int(lifetime(app)) + 1)
    held = pipe.execute()[2]
    if held > app.config["REALTIME_MAX_SOCKETS_PER_USER"]:
        release(app, sock)
        return False
    return True


def release(app: Flask, sock: Socket) -> None:
    """Give back ``sock``'s slot."""
    client = broker_client(app)
    assert client is not None
    client.zrem(slots_key(app, sock.listener.user_id), sock.id)


def renew(app: Flask, sockets: Iterable[Socket]) -> None:
    """Push back the lapse of every slot of ``sockets``: one round trip."""
    client = broker_client(app)
    assert client is not None
    now, seconds = time.time(), lifetime(app)
    pipe = client.pipeline(transaction=False)
    for sock in sockets:
        key = slots_key(app, sock.listener.user_id)
        pipe.zadd(key, {sock.id: now + seconds}, xx=True)
        pipe.expire(key, int(seconds) + 1)
    pipe.execute()

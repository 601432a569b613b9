"""The caps on open sockets, per user and per client address, counted across every instance.

Each open socket holds two slots: a member of its user's sorted set in
Redis (``realtime:sockets:user:<id>``) and one of its client address's
(``realtime:sockets:address:<key>``), scored with when they lapse. The
per-user cap (``REALTIME_MAX_SOCKETS_PER_USER``) keeps one account from
hoarding sockets; the per-address cap (``REALTIME_MAX_SOCKETS_PER_ADDRESS``)
keeps a few accounts from one address from taking every socket of the
deployment from everyone else. The address is the rate limits' client key
(``client_key`` in ``app/infrastructure/client_key.py``). The hub renews
its sockets' slots at each check; a slot whose process died lapses by
itself within ``SLOT_LIFETIME_CHECKS`` checks, so a crash never leaves a
user or an address locked out.
"""

import time
from collections.abc import Iterable

from flask import Flask

from app.realtime.broker import broker_client
from app.realtime.sockets import Socket

# A slot lapses unless renewed within this many checks (REALTIME_SESSION_CHECK_SECONDS).
SLOT_LIFETIME_CHECKS = 5
MIN_SLOT_LIFETIME_SECONDS = 10.0
# Each cap: the sorted set a socket takes a slot in, and the setting that bounds it.
CAPS = (("user", "REALTIME_MAX_SOCKETS_PER_USER"), ("address", "REALTIME_MAX_SOCKETS_PER_ADDRESS"))


def slot_keys(app: Flask, sock: Socket) -> tuple[str, str]:
    """The sorted sets ``sock`` holds a slot in: its user's and its address's."""
    prefix = f"{app.config['REALTIME_KEY_PREFIX']}sockets:"
    return f"{prefix}user:{sock.listener.user_id}", f"{prefix}address:{sock.address}"


def lifetime(app: Flask) -> float:
    """Seconds a slot lasts unless renewed."""
    interval = app.config["REALTIME_SESSION_CHECK_SECONDS"]
    return max(MIN_SLOT_LIFETIME_SECONDS, SLOT_LIFETIME_CHECKS * interval)


def claim(app: Flask, sock: Socket) -> bool:
    """Take a slot for ``sock`` in each cap; False when its user or its address already
    has the most allowed.

    One transaction drops each set's lapsed slots, adds this socket's and
    counts; a socket over either cap gives both slots straight back.
    """
    client = broker_client(app)
    assert client is not None  # views.py opens no socket without a broker
    now, seconds = time.time(), lifetime(app)
    pipe = client.pipeline(transaction=True)
    for key in slot_keys(app, sock):
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zadd(key, {sock.id: now + seconds})
        pipe.zcard(key)
        pipe.expire(key, int(seconds) + 1)
    held = pipe.execute()[2::4]
    if any(count > app.config[setting] for count, (_, setting) in zip(held, CAPS, strict=True)):
        release(app, sock)
        return False
    return True


def release(app: Flask, sock: Socket) -> None:
    """Give back ``sock``'s slots."""
    client = broker_client(app)
    assert client is not None
    pipe = client.pipeline(transaction=False)
    for key in slot_keys(app, sock):
        pipe.zrem(key, sock.id)
    pipe.execute()


def renew(app: Flask, sockets: Iterable[Socket]) -> None:
    """Push back the lapse of every slot of ``sockets``: one round trip."""
    client = broker_client(app)
    assert client is not None
    now, seconds = time.time(), lifetime(app)
    pipe = client.pipeline(transaction=False)
    for sock in sockets:
        for key in slot_keys(app, sock):
            pipe.zadd(key, {sock.id: now + seconds}, xx=True)
            pipe.expire(key, int(seconds) + 1)
    pipe.execute()

"""How many SQL statements, Redis commands and Redis round trips a request costs.

Counted in-process, where nothing else can add to the count:

* SQL statements: SQLAlchemy's ``before_cursor_execute`` event on each of
  the app's engines (an ``executemany`` is one statement, one round trip).
* Redis: every client, pipelines included, ends in one call of its
  connection's ``send_packed_command`` per write to the socket; one call is
  one round trip, and the commands in it are counted from the packed bytes
  (each command is one RESP array), so a pipeline of three commands counts
  three commands and one trip. fakeredis's connection class inherits that
  method from redis-py, so the tests (fakeredis, SQLite) and production
  (Redis, PostgreSQL) count the same way. Connection set-up commands (HELLO,
  SELECT...) and health-check PINGs are real traffic and are counted too.

``counting(app)`` counts around any code; ``count_request`` makes one
request through a test client, after one unmeasured identical request, so
what is counted is the steady state (a first request may legitimately write
a session or warm a cache).
"""

from contextlib import contextmanager
from dataclasses import dataclass

import redis.connection
from sqlalchemy import event

from app.extensions import db

SEND = "send_packed_command"


@dataclass
class Counts:
    """What one piece of code cost: SQL statements, Redis commands and round trips."""

    sql: int = 0
    redis_commands: int = 0
    redis_round_trips: int = 0
    status: int | None = None


def resp_commands(packed):
    """The number of commands in packed RESP output (bytes, str or a list of chunks).

    Each command is an array of bulk strings: ``*<n>\\r\\n`` then ``n`` times
    ``$<length>\\r\\n<bytes>\\r\\n``. Lengths are followed, so bytes inside a
    value are never mistaken for the start of a command.
    """
    if isinstance(packed, bytes | bytearray | memoryview | str):
        packed = [packed]
    data = b"".join(
        chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in packed
    )
    commands = 0
    position = 0
    while position < len(data):
        if data[position : position + 1] != b"*":  # inline command: one line
            end = data.find(b"\r\n", position)
            position = len(data) if end < 0 else end + 2
            commands += 1
            continue
        end = data.index(b"\r\n", position)
        items = int(data[position + 1 : end])
        position = end + 2
        for _ in range(items):
            end = data.index(b"\r\n", position)
            length = int(data[position + 1 : end])
            position = end + 2 + length + 2
        commands += 1
    return commands


def connection_classes(app):
    """The classes that define ``send_packed_command`` for the app's Redis connections."""
    client = app.extensions["redis"].client
    pool = getattr(client, "connection_pool", None)
    classes = {redis.connection.AbstractConnection}
    if pool is not None:
        classes.add(pool.connection_class)
    return {owner for cls in classes for owner in cls.__mro__ if SEND in vars(owner)}


@contextmanager
def counting_redis(app, counts):
    """Count the app's Redis commands and round trips into ``counts`` inside the block.

    A subclass's method that calls its parent's passes the same packed
    command on: that is still one round trip, counted once.
    """
    originals = {owner: vars(owner)[SEND] for owner in connection_classes(app)}
    sending = set()

    def counted(original):
        def send_packed_command(connection, command, *args, **kwargs):
            if id(command) not in sending:
                counts.redis_commands += resp_commands(command)
                counts.redis_round_trips += 1
            sending.add(id(command))
            try:
                return original(connection, command, *args, **kwargs)
            finally:
                sending.discard(id(command))

        return send_packed_command

    for owner, original in originals.items():
        setattr(owner, SEND, counted(original))
    try:
        yield
    finally:
        for owner, original in originals.items():
            setattr(owner, SEND, original)


@contextmanager
def counting(app):
    """Count SQL statements and Redis traffic of ``app`` inside the block; yields Counts."""
    counts = Counts()

    def count_statement(*_args):
        counts.sql += 1

    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count_statement)
    try:
        with counting_redis(app, counts):
            yield counts
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count_statement)


def count_request(app, client, method, path, headers=None, **kwargs):
    """Counts for one request, made after an identical unmeasured one (steady state)."""
    client.open(path, method=method, headers=headers, **kwargs).close()
    with counting(app) as counts:
        response = client.open(path, method=method, headers=headers, **kwargs)
        response.get_data()
        counts.status = response.status_code
        response.close()
    return counts

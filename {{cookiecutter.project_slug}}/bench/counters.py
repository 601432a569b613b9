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

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import redis.connection
from sqlalchemy import event

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


class RedisCounting:
    """Wraps ``send_packed_command`` on the connection classes while anyone counts.

    The wrapper is installed on every class that defines the method among
    redis-py's ``AbstractConnection`` and the classes of the given clients'
    pools, and removed when the last counter stops. A subclass that calls its
    parent's method passes the same packed command on, which is counted once.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.active = []
        self.patched = {}
        self.local = threading.local()

    def start(self, counts, connection_classes):
        with self.lock:
            self.active.append(counts)
            for cls in {redis.connection.AbstractConnection, *connection_classes}:
                for owner in cls.__mro__:
                    if SEND in vars(owner) and owner not in self.patched:
                        self.patched[owner] = vars(owner)[SEND]
                        setattr(owner, SEND, self.wrap(vars(owner)[SEND]))

    def stop(self, counts):
        with self.lock:
            self.active.remove(counts)
            if not self.active:
                for owner, original in self.patched.items():
                    setattr(owner, SEND, original)
                self.patched.clear()

    def wrap(self, original):
        state = self

        def send_packed_command(connection, command, *args, **kwargs):
            sending = state.local.__dict__.setdefault("sending", set())
            if id(command) not in sending:
                commands = resp_commands(command)
                for counts in list(state.active):
                    counts.redis_commands += commands
                    counts.redis_round_trips += 1
            sending.add(id(command))
            try:
                return original(connection, command, *args, **kwargs)
            finally:
                sending.discard(id(command))

        return send_packed_command


redis_counting = RedisCounting()


def connection_classes(app):
    """The connection classes of the Redis clients the app holds."""
    client = app.extensions.get("redis") and app.extensions["redis"].client
    pool = getattr(client, "connection_pool", None)
    return [pool.connection_class] if pool is not None else []


@contextmanager
def counting(app):
    """Count SQL statements and Redis traffic of ``app`` inside the block; yields Counts."""
    from app.extensions import db

    counts = Counts()

    def count_statement(*_args):
        counts.sql += 1

    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count_statement)
    redis_counting.start(counts, connection_classes(app))
    try:
        yield counts
    finally:
        redis_counting.stop(counts)
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

"""The declarative base, naming convention and column types every model shares,
how pooled PostgreSQL connections are checked before use, and SQLite made to
enforce foreign keys as PostgreSQL does."""

import select
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations generated on SQLite and PostgreSQL
# agree and a later migration can drop a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class for all models (given to Flask-SQLAlchemy as ``model_class``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_storable(text: str) -> bool:
    """True when ``text`` can be stored and hashed: encodable as UTF-8, with no NUL.

    HTML forms cannot send anything else, but JSON can (``"\\ud800"``), and
    PostgreSQL and the hash functions would fail on it with a 500.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def utcnow() -> datetime:
    """Now, as an aware UTC datetime; pass the function, never its result, as a default."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every database.

    PostgreSQL keeps the offset; SQLite drops it, so values are normalised to
    UTC on the way in and marked UTC on the way out. Naive values are refused
    because their meaning would depend on the server's clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def replace_closed_connections(engine: Engine) -> None:
    """Make the pool swap a PostgreSQL connection the server has closed for a new one.

    SQLAlchemy's ``pool_pre_ping`` would send ``SELECT 1`` at every checkout:
    a round trip per request. A PostgreSQL restart or an idle-session
    timeout closes each connection with a message, which leaves its socket
    readable; looking for that costs one ``poll`` and no round trip. A
    connection that vanished silently (a dropped network path) still fails
    its first query, with a 503; SQLAlchemy then replaces the whole pool.
    """
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", refuse_closed_connection)


def refuse_closed_connection(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """A pool ``checkout`` hook: ``DisconnectionError`` makes the pool reconnect.

    ``dbapi_connection`` is the driver's own connection (psycopg's), whose
    ``closed`` and ``fileno()`` are not part of the DBAPI.
    """
    if dbapi_connection.closed or server_has_hung_up(dbapi_connection.fileno()):
        raise DisconnectionError("PostgreSQL closed this pooled connection")


def server_has_hung_up(socket_fd: int) -> bool:
    """True when an idle connection's socket has something to read: the server's goodbye."""
    poller = select.poll()
    poller.register(socket_fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def enforce_foreign_keys(engine: Engine) -> None:
    """Make SQLite honour foreign keys (and their ``ON DELETE CASCADE``), as PostgreSQL does.

    SQLite ignores them unless each connection asks, so without this a
    deleted account would leave its rows behind in development and tests
    only. (Migrations turn it off for their own connection: see
    ``migrations/env.py``.)
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", turn_on_foreign_keys)


def turn_on_foreign_keys(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """A ``connect`` hook: ``PRAGMA foreign_keys = ON`` for each new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()

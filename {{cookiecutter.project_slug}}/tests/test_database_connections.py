"""Pooled PostgreSQL connections the server closed are replaced at checkout, without a ping."""

import os
import socket
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DisconnectionError

from app.infrastructure.database import (
    refuse_closed_connection,
    replace_closed_connections,
    server_has_hung_up,
)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


class FakeConnection:
    """A DB-API connection as far as the checkout hook looks at it."""

    def __init__(self, sock, closed=False):
        self.sock = sock
        self.closed = closed

    def fileno(self):
        return self.sock.fileno()


@pytest.fixture
def socket_pair():
    ours, servers = socket.socketpair()
    yield ours, servers
    ours.close()
    servers.close()


def test_an_idle_open_connection_has_nothing_to_read(socket_pair):
    ours, _ = socket_pair
    assert not server_has_hung_up(ours.fileno())


def test_a_connection_the_server_closed_is_readable(socket_pair):
    ours, servers = socket_pair
    servers.close()
    assert server_has_hung_up(ours.fileno())


def test_a_goodbye_message_counts_as_hung_up(socket_pair):
    ours, servers = socket_pair
    servers.sendall(b"E terminating connection due to administrator command")
    assert server_has_hung_up(ours.fileno())


def test_the_checkout_hook_passes_a_live_connection(socket_pair):
    refuse_closed_connection(FakeConnection(socket_pair[0]), None, None)


def test_the_checkout_hook_refuses_a_connection_closed_on_either_side(socket_pair):
    ours, servers = socket_pair
    with pytest.raises(DisconnectionError):
        refuse_closed_connection(FakeConnection(ours, closed=True), None, None)
    servers.close()
    with pytest.raises(DisconnectionError):
        refuse_closed_connection(FakeConnection(ours), None, None)


def test_sqlite_engines_get_no_hook():
    engine = create_engine("sqlite://")
    replace_closed_connections(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


@pytest.mark.skipif(
    not POSTGRES_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)
def test_a_connection_terminated_by_postgresql_is_replaced_without_an_error():
    """What a PostgreSQL restart does to every pooled connection, on a real server."""
    url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=1, max_overflow=0)
    replace_closed_connections(engine)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        terminate_backend(url, pid)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


def terminate_backend(url, pid, timeout=5):
    """End one server process as a restart would, and wait until it is gone."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            deadline = time.monotonic() + timeout
            alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
            while connection.execute(text(alive), {"pid": pid}).scalar():
                assert time.monotonic() < deadline, "the backend did not end"
                time.sleep(0.02)
    finally:
        admin.dispose()

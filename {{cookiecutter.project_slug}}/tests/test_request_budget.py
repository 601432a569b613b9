"""The request budget: SQL statements and Redis round trips per request type.

These counts are deterministic, so they are tested here; speed itself is only
measured, by the benchmark (docs/benchmark.md). Each count is of a
repeated request (the first one may write the session). The dashboard is
counted here by itself, without the panels other parts add to it; each part
tests what its panel costs.
"""

import pytest
from limits.storage import RedisStorage

from app.extensions import limiter
from app.main.dashboard import PANELS_KEY
from tests.conftest import PASSWORD
from tests.request_counters import count_request, counting, resp_commands


@pytest.fixture
def bare_dashboard(app):
    """The dashboard without any other part's panel: the account alone."""
    app.extensions[PANELS_KEY] = []


def test_an_anonymous_home_page_touches_neither_database_nor_redis(app, client):
    counts = count_request(app, client, "GET", "/")
    assert (counts.status, counts.sql, counts.redis_round_trips) == (200, 0, 0)


def test_an_unchanged_dashboard_view_is_one_query_and_one_redis_command(
    app, client, auth, user, bare_dashboard
):
    auth.login()
    counts = count_request(app, client, "GET", "/dashboard")
    assert counts.status == 200
    assert counts.sql == 1  # the session's login, with its user
    assert (counts.redis_commands, counts.redis_round_trips) == (1, 1)  # GETEX, no write


def test_a_login_moves_the_session_in_three_round_trips(app, client, auth, user):
    token = auth.csrf_token()
    with counting(app) as counts:
        response = client.post(
            "/auth/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
        )
    assert response.status_code == 302
    # GETEX of the old session, DEL of it (the new id), then SET of the new one;
    # and, when limits count in Redis (with TEST_REDIS_URL; the in-process
    # emulator's suite counts them in memory), the failed-login limit's
    # reserved attempt and its refund, since the login succeeded.
    limit_round_trips = 2 if isinstance(limiter.storage, RedisStorage) else 0
    assert counts.redis_round_trips == 3 + limit_round_trips


def test_health_is_one_query_and_one_redis_command(app, client):
    counts = count_request(app, client, "GET", "/health")
    assert (counts.status, counts.sql, counts.redis_commands) == (200, 1, 1)


def test_a_pipeline_is_counted_as_its_commands_in_one_round_trip(app):
    client = app.extensions["redis"].client
    with counting(app) as counts:
        client.pipeline(transaction=False).set("a", "1").get("a").delete("a").execute()
    assert (counts.redis_commands, counts.redis_round_trips) == (3, 1)


@pytest.mark.parametrize(
    ("packed", "commands"),
    [
        (b"*1\r\n$4\r\nPING\r\n", 1),
        ([b"*2\r\n$3\r\nGET\r\n", b"$6\r\n*1\r\n$1\r\n"], 1),  # a value that looks like RESP
        ("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", 2),
        (b"PING\r\n", 1),  # an inline command
    ],
    ids=["one", "value-like-a-command", "two", "inline"],
)
def test_commands_are_counted_from_the_packed_bytes(packed, commands):
    assert resp_commands(packed) == commands

"""The request budget: SQL statements and Redis round trips per request type.

These counts are deterministic, so they are tested here; speed itself is only
measured, by ``make bench`` (README, "Performance"). Each count is of a
repeated request (the first one may write the session).
"""

import pytest
from bench.counters import count_request

from app.auth.models import User
from app.extensions import db
from app.notes.service import create_note

pytestmark = pytest.mark.usefixtures("user")


@pytest.fixture
def notes(app, user):
    """Give ``user`` some notes: ``notes(20)``."""

    def add(count):
        with app.app_context():
            owner = db.session.get(User, user.id)
            for number in range(count):
                create_note(owner, f"Note {number}", "body")

    return add


@pytest.fixture
def bearer(client, user):
    """A bearer token header for ``user``."""
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_an_anonymous_home_page_touches_neither_database_nor_redis(app, client):
    counts = count_request(app, client, "GET", "/")
    assert (counts.status, counts.sql, counts.redis_round_trips) == (200, 0, 0)


@pytest.mark.parametrize("note_count", [0, 20])
def test_an_unchanged_dashboard_view_is_one_query_and_one_redis_command(
    app, client, auth, notes, note_count
):
    notes(note_count)
    auth.login()
    counts = count_request(app, client, "GET", "/dashboard")
    assert counts.status == 200
    assert counts.sql == 1  # the page of notes, its total riding along
    assert (counts.redis_commands, counts.redis_round_trips) == (1, 1)  # GETEX, no write


def test_any_dashboard_page_is_one_query(app, client, auth, notes):
    notes(25)
    auth.login()
    counts = count_request(app, client, "GET", "/dashboard?page=3")
    assert (counts.status, counts.sql, counts.redis_round_trips) == (200, 1, 1)


def test_a_page_past_the_end_costs_one_more_query_to_count(app, client, auth, notes):
    notes(3)
    auth.login()
    counts = count_request(app, client, "GET", "/dashboard?page=9")
    assert (counts.status, counts.sql) == (200, 2)


def test_the_user_is_read_again_once_the_recheck_is_due(app, client, auth):
    """The trade-off in numbers: a query and a session write once a minute, not per view."""
    app.config["SESSION_USER_RECHECK_SECONDS"] = 0
    auth.login()
    counts = count_request(app, client, "GET", "/dashboard")
    assert counts.sql == 2  # the user's row, then the notes
    assert counts.redis_commands == 2  # GETEX, then SET of the renewed snapshot


@pytest.mark.parametrize(("note_count", "per_page"), [(0, 20), (20, 20), (100, 100)])
def test_the_notes_list_costs_the_same_two_queries_whatever_its_length(
    app, client, bearer, notes, note_count, per_page
):
    notes(note_count)
    counts = count_request(app, client, "GET", f"/api/v1/notes?per_page={per_page}", bearer)
    assert counts.status == 200
    assert len(client.get(f"/api/v1/notes?per_page={per_page}", headers=bearer).json["items"]) == (
        note_count
    )
    assert counts.sql == 2  # the token with its user, then the page with its total
    assert counts.redis_round_trips == 0


def test_the_notes_list_with_the_session_cookie(app, client, auth, notes):
    notes(20)
    auth.login()
    counts = count_request(app, client, "GET", "/api/v1/notes")
    assert counts.status == 200
    assert counts.sql == 2  # the user's row (the API works with rows), then the page
    assert counts.redis_round_trips == 1


def test_health_is_one_query_and_one_redis_command(app, client):
    counts = count_request(app, client, "GET", "/health")
    assert (counts.status, counts.sql, counts.redis_commands) == (200, 1, 1)

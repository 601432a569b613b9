"""Server-side sessions: an opaque id in the cookie, the data in Redis under ``session:<id>``."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Login
from app.extensions import db

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32,}")


def stored_session(app, redis_client, session_id):
    """The session data kept in Redis for ``session_id``, or None."""
    raw = redis_client.get(f"session:{session_id}")
    return None if raw is None else app.session_interface.serializer.decode(raw)


def test_the_cookie_holds_only_an_opaque_id(app, client, auth, user, redis_client):
    auth.login()
    session_id = client.get_cookie("session").value
    assert SESSION_ID.fullmatch(session_id)
    assert session_id != str(user.id)
    assert user.email not in session_id
    with app.app_context():
        login_id = db.session.scalar(select(Login.id).where(Login.user_id == user.id))
    assert stored_session(app, redis_client, session_id)["_user_id"] == login_id


def test_the_session_lives_in_redis_with_a_short_lifetime(app, client, auth, user, redis_client):
    auth.login()
    key = f"session:{client.get_cookie('session').value}"
    assert redis_client.exists(key)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert (
        0 < redis_client.ttl(key) <= lifetime.total_seconds() <= timedelta(days=1).total_seconds()
    )


def test_a_changed_session_is_written_back_under_the_same_id(client, auth, redis_client):
    client.get("/auth/register")  # the form's CSRF token is stored in a new session
    session_id = client.get_cookie("session").value
    before = redis_client.get(f"session:{session_id}")
    auth.register("grace@example.com", "a-brand-new-password")
    assert client.get_cookie("session").value == session_id
    assert redis_client.get(f"session:{session_id}") != before  # the flash message was saved


def test_the_session_id_changes_at_login(client, auth, user, redis_client):
    client.get("/auth/login")
    before = client.get_cookie("session").value
    assert redis_client.exists(f"session:{before}")
    auth.login()
    after = client.get_cookie("session").value
    assert after != before
    assert not redis_client.exists(f"session:{before}")
    assert redis_client.exists(f"session:{after}")


def test_a_planted_session_id_is_not_adopted(client, redis_client):
    client.set_cookie("session", "chosen-by-an-attacker-0123456789abcdef")
    client.get("/auth/login")
    assert client.get_cookie("session").value != "chosen-by-an-attacker-0123456789abcdef"
    assert not redis_client.exists("session:chosen-by-an-attacker-0123456789abcdef")


def test_logout_deletes_the_session_from_redis(client, auth, user, redis_client):
    auth.login()
    session_id = client.get_cookie("session").value
    auth.logout()
    assert not redis_client.exists(f"session:{session_id}")
    assert client.get_cookie("session").value != session_id


def test_a_stolen_session_id_is_useless_after_logout(app, client, auth, user):
    auth.login()
    session_id = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", session_id)
    assert thief.get("/dashboard").status_code == 302


def test_the_session_cookie_is_httponly_and_lax(client, auth, user):
    response = auth.login()
    set_cookie = next(
        header for header in response.headers.getlist("Set-Cookie") if header.startswith("session=")
    )
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_production_session_cookie_is_secure(production_app):
    response = production_app.test_client().get("/auth/login", base_url="https://localhost")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in set_cookie


def test_flash_messages_carry_their_category(client, auth, user):
    auth.login()
    assert 'class="flash flash-success"' in client.get("/dashboard").text
    auth.logout()
    assert 'class="flash flash-info"' in client.get("/").text


def test_a_flash_message_is_shown_once(client, auth, user):
    auth.login()
    client.get("/dashboard")
    assert "flash-success" not in client.get("/dashboard").text


def test_a_remember_me_login_moves_to_a_new_session_id(app, client, auth, user, redis_client):
    """Someone who planted a session id in the browser must not inherit the login."""
    auth.login(remember_me=True)
    attacker = app.test_client()
    attacker.get("/auth/login")
    planted = attacker.get_cookie("session").value
    client.set_cookie("session", planted)

    assert client.get("/dashboard").status_code == 200
    assert client.get_cookie("session").value != planted
    assert not redis_client.exists(f"session:{planted}")
    assert attacker.get("/dashboard").status_code == 302


def test_the_session_cookie_ends_with_the_browser_session(client, auth, user):
    """Only the remember-me cookie outlives the browser; Redis still expires idle sessions."""
    auth.login()
    assert client.get_cookie("session").expires is None

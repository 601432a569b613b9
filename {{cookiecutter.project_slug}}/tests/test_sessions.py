"""Server-side sessions: an opaque id in the cookie, the data in Redis under ``session:<id>``."""

import pickle
import re
from datetime import timedelta

import msgspec

from app.auth.models import User
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
        login_id = db.session.get(User, user.id).login_id
    assert stored_session(app, redis_client, session_id)["_user_id"] == login_id


def test_the_session_lives_in_redis_with_a_short_lifetime(app, client, auth, user, redis_client):
    auth.login()
    key = f"session:{client.get_cookie('session').value}"
    assert redis_client.exists(key)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert (
        0 < redis_client.ttl(key) <= lifetime.total_seconds() <= timedelta(days=1).total_seconds()
    )


def test_each_request_pushes_the_idle_expiry_back_without_rewriting_the_session(
    app, client, auth, user, redis_client
):
    """Sliding expiry by GETEX: an active session never expires, an idle one still does."""
    auth.login()
    client.get("/dashboard")  # the first view stores the page's CSRF token
    key = f"session:{client.get_cookie('session').value}"
    stored = redis_client.get(key)
    redis_client.expire(key, 5)  # as if the session had been idle for hours
    assert client.get("/dashboard").status_code == 200
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    assert lifetime - 5 <= redis_client.ttl(key) <= lifetime
    assert redis_client.get(key) == stored  # read and slid, not written


def test_a_changed_session_is_written_back(client, auth, user, redis_client):
    auth.login()
    client.get("/dashboard")
    key = f"session:{client.get_cookie('session').value}"
    before = redis_client.get(key)
    client.post("/notes", data={"csrf_token": auth.csrf_token("/dashboard"), "title": "Hi"})
    assert redis_client.get(key) != before  # the flash message was saved


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


class Explode:
    """A pickle payload that would leave a mark if it were ever unpickled."""

    ran = False

    def __reduce__(self):
        return (setattr, (Explode, "ran", True))


def test_stored_pickle_data_is_never_unpickled(client, redis_client):
    """Flask-Session 0.8 falls back to pickle; whoever can write to Redis must not run code."""
    redis_client.set("session:planted-pickle", pickle.dumps(Explode()))
    client.set_cookie("session", "planted-pickle")
    assert client.get("/auth/login").status_code == 200
    assert Explode.ran is False
    assert client.get_cookie("session").value != "planted-pickle"


def test_stored_data_that_is_not_a_session_counts_as_no_session(client, redis_client):
    redis_client.set("session:planted-list", msgspec.msgpack.encode(["not", "a", "dict"]))
    client.set_cookie("session", "planted-list")
    assert client.get("/auth/login").status_code == 200
    assert client.get_cookie("session").value != "planted-list"


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

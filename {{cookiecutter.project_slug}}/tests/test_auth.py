"""Registering, logging in and logging out through the HTML forms."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth import passwords
from app.auth.models import User
from app.auth.views import LOGIN_FAILED
from app.extensions import db
from app.infrastructure.database import utcnow

NEW_EMAIL = "grace@example.com"
NEW_PASSWORD = "a-brand-new-password"
LENGTH_RULE = "Password must be between 8 and 128 characters long."


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def stored_user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_register_page_shows_the_form(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    for field in ("csrf_token", "email", "password", "confirm_password"):
        assert f'name="{field}"' in response.text


def test_register_creates_an_account_and_sends_to_login(app, auth):
    response = auth.register(NEW_EMAIL, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        assert User.find_by_email(NEW_EMAIL) is not None


def test_register_says_the_account_was_created(client, auth):
    auth.register(NEW_EMAIL, NEW_PASSWORD)
    assert 'class="flash flash-success"' in client.get("/auth/login").text


def test_a_new_account_can_log_in(auth):
    auth.register(NEW_EMAIL, NEW_PASSWORD)
    assert auth.login(NEW_EMAIL, NEW_PASSWORD).headers["Location"] == "/dashboard"


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com"])
def test_register_refuses_a_taken_email_in_any_letter_case(app, auth, user, email):
    response = auth.register(email, NEW_PASSWORD)
    assert response.status_code == 200
    assert "An account with this email already exists." in response.text
    assert count_users(app) == 1


@pytest.mark.parametrize(
    ("email", "password", "confirm_password", "message"),
    [
        ("not-an-email", NEW_PASSWORD, None, "Invalid email address"),
        ("", NEW_PASSWORD, None, "This field is required."),
        ("grace\x00@example.com", NEW_PASSWORD, None, "Invalid email address"),
        ("g" * 250 + "@example.com", NEW_PASSWORD, None, "Email must be at most 254 characters."),
        (NEW_EMAIL, NEW_PASSWORD, "a-different-password", "Passwords do not match."),
        (NEW_EMAIL, "", None, "This field is required."),
        (NEW_EMAIL, "short", None, LENGTH_RULE),
        (NEW_EMAIL, "p" * 129, None, LENGTH_RULE),
        (NEW_EMAIL, "p" * 10_000, None, LENGTH_RULE),
    ],
    ids=[
        "invalid-email",
        "no-email",
        "nul-in-email",
        "email-too-long",
        "mismatch",
        "no-password",
        "too-short",
        "too-long",
        "10000-characters",
    ],
)
def test_register_shows_the_form_errors_for_invalid_input(
    app, auth, email, password, confirm_password, message
):
    response = auth.register(email, password, confirm_password)
    assert response.status_code == 200
    assert 'class="field-errors"' in response.text
    assert message in response.text
    assert count_users(app) == 0


def test_a_non_ascii_password_registers_and_logs_in(auth):
    password = "pässwörd-😀-密码"
    assert auth.register(NEW_EMAIL, password).status_code == 302
    assert auth.login(NEW_EMAIL, password).headers["Location"] == "/dashboard"


def test_login_page_shows_the_form(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    for field in ("csrf_token", "email", "password", "remember_me"):
        assert f'name="{field}"' in response.text


def test_login_sends_to_the_dashboard(auth, user):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_logged_in_user_sees_their_dashboard(client, auth, user):
    auth.login()
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert user.email in response.text


def test_login_accepts_the_email_in_any_letter_case(auth, user):
    assert auth.login(email="ADA@Example.COM").headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", "correct horse battery"),
        ("", ""),
        ("not an email", "correct horse battery"),
        ("ada\x00@example.com", "correct horse battery"),
        ("ada@example.com", "p" * 10_000),
    ],
    ids=["wrong-password", "unknown-email", "empty", "not-an-email", "nul-byte", "10000-chars"],
)
def test_a_failed_login_shows_one_message_that_names_no_field(client, auth, user, email, password):
    response = auth.login(email, password)
    assert response.status_code == 200
    assert response.text.count('class="form-error"') == 1
    assert LOGIN_FAILED in response.text
    assert "field-errors" not in response.text
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_email_give_the_same_message(auth, user):
    def error_of(response):
        return re.search(r'<p class="form-error".*?</p>', response.text).group(0)

    wrong_password = error_of(auth.login(password="wrong password"))
    unknown_email = error_of(auth.login(email="nobody@example.com"))
    assert wrong_password == unknown_email


def test_an_unknown_email_still_costs_a_password_check(auth, monkeypatch):
    """Answering faster for unknown emails would tell an attacker which ones have accounts."""
    checked = []
    real_check = passwords.check_password_hash

    def spy(password_hash, password):
        checked.append(password)
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    auth.login("nobody@example.com", "some password")
    assert checked == ["some password"]


def test_remember_me_sets_a_persistent_httponly_cookie(client, auth, user):
    auth.login(remember_me=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.expires > datetime.now(UTC) + timedelta(days=1)


def test_the_remember_cookie_logs_the_browser_back_in(client, auth, user):
    auth.login(remember_me=True)
    client.delete_cookie("session")
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert user.email in response.text


def test_without_remember_me_there_is_no_remember_cookie(client, auth, user):
    auth.login()
    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
def test_a_logged_in_user_is_sent_away_from_the_auth_forms(client, auth, user, path):
    auth.login()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_logging_in_records_when(app, auth, user):
    assert stored_user(app, user.id).last_login_at is None
    before = utcnow()
    auth.login()
    last_login_at = stored_user(app, user.id).last_login_at
    assert before <= last_login_at <= utcnow()


def test_a_hash_made_with_other_parameters_is_upgraded_at_login(app, auth, user):
    assert stored_user(app, user.id).password_hash.startswith("scrypt:128:8:1$")
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:256:8:1"
    auth.login()
    assert stored_user(app, user.id).password_hash.startswith("scrypt:256:8:1$")
    auth.logout()
    assert auth.login().headers["Location"] == "/dashboard"


def test_a_current_hash_is_left_alone_at_login(app, auth, user):
    before = stored_user(app, user.id).password_hash
    auth.login()
    assert stored_user(app, user.id).password_hash == before


def test_a_failed_login_never_rehashes(app, auth, user):
    before = stored_user(app, user.id).password_hash
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:256:8:1"
    auth.login(password="wrong password")
    assert stored_user(app, user.id).password_hash == before


def test_logout_is_not_allowed_over_get(client, auth, user):
    auth.login()
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_logout_needs_a_csrf_token(client, auth, user):
    auth.login()
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_logout_sends_home_and_says_so(client, auth, user):
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert 'class="flash flash-info"' in client.get("/").text
    assert client.get("/dashboard").status_code == 302


def test_logout_clears_the_remember_cookie(client, auth, user):
    auth.login(remember_me=True)
    auth.logout()
    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 302


def test_a_copied_remember_cookie_is_revoked_by_logout(app, client, auth, user):
    auth.login(remember_me=True)
    copied = client.get_cookie("remember_token").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/dashboard").status_code == 302


def test_the_user_can_log_in_again_after_logout(client, auth, user):
    auth.login(remember_me=True)
    auth.logout()
    auth.login()
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("value", ["nonsense", "|", "1|forged-signature"])
def test_a_malformed_remember_cookie_counts_as_none(client, value):
    client.set_cookie("remember_token", value)
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_spaces_around_the_email_are_forgiven_at_registration(app, auth):
    response = auth.register("  grace@example.com  ", NEW_PASSWORD)
    assert response.status_code == 302
    assert auth.login("grace@example.com", NEW_PASSWORD).headers["Location"] == "/dashboard"


def test_an_email_is_the_same_however_its_accents_are_typed(app, auth):
    composed, decomposed = "jos\u00e9@example.com", "jose\u0301@example.com"
    assert auth.register(composed, NEW_PASSWORD).status_code == 302
    response = auth.register(decomposed, NEW_PASSWORD)
    assert "An account with this email already exists." in response.text
    assert count_users(app) == 1

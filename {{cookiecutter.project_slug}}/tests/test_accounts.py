"""The account rules shared by the forms and the CLI, and Flask-Login's user loader."""

import pytest

from app.auth.accounts import AccountError, authenticate, create_account
from app.auth.models import User


def test_create_account_stores_only_a_hash(app):
    with app.app_context():
        user = create_account("grace@example.com", "a-long-password")
        assert "a-long-password" not in user.password_hash
        assert user.check_password("a-long-password")


def test_a_concurrent_registration_of_the_same_email_is_refused_cleanly(app, user, monkeypatch):
    """Two requests may both see the email free; the unique constraint decides."""
    monkeypatch.setattr(User, "find_by_email", classmethod(lambda cls, email: None))
    with app.app_context():
        with pytest.raises(AccountError, match="already exists"):
            create_account(user.email, "another-password")
        # The session was rolled back and is usable again.
        assert create_account("grace@example.com", "a-long-password").id is not None


def test_authenticate_returns_the_user_for_the_right_password(app, user):
    with app.app_context():
        assert authenticate(user.email, user.password).id == user.id
        assert authenticate(user.email, "wrong password") is None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.com", "correct horse \ud800"),
        ("ada\ud800@example.com", "correct horse battery"),
        ("ada@example.com", "correct\x00horse"),
    ],
)
def test_authenticate_refuses_text_no_database_or_hash_accepts(app, user, email, password):
    """JSON can carry lone surrogates and NUL; they must fail the login, not the server."""
    with app.app_context():
        assert authenticate(email, password) is None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("grace\ud800@example.com", "a-long-password", "characters that cannot be used"),
        ("grace@example.com", "a-long-pass\ud800", "characters that cannot be used"),
        ("grace@example.com", "a-long\x00password", "characters that cannot be used"),
    ],
)
def test_create_account_refuses_text_no_database_or_hash_accepts(app, email, password, message):
    with app.app_context(), pytest.raises(AccountError, match=message):
        create_account(email, password)

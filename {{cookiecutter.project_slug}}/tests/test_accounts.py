"""The account rules shared by the forms and the CLI, and Flask-Login's user loader."""

import pytest

from app.auth.accounts import AccountError, authenticate, create_account, load_user
from app.models import User


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


def test_the_user_loader_finds_users_by_id(app, user):
    with app.app_context():
        assert load_user(str(user.id)).email == user.email


@pytest.mark.parametrize("user_id", ["999999", "abc", "", "1.0", "-1"])
def test_the_user_loader_returns_none_for_anything_else(app, user, user_id):
    with app.app_context():
        assert load_user(user_id) is None

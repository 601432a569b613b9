"""Link tokens: one salt per purpose, bound to what they change, refused when anything is off."""

import pytest

from app.auth import tokens
from app.auth.models import User
from app.extensions import db


@pytest.fixture
def account(app, user):
    """``user``'s row, inside an app context."""
    with app.app_context():
        yield db.session.get(User, user.id)


def signed(purpose, payload):
    """A token correctly signed for ``purpose`` around any payload."""
    return tokens.serializer(purpose).dumps(payload)


def test_each_token_finds_its_user(account):
    assert tokens.user_for_password_reset(tokens.make_password_reset_token(account)) == account
    assert tokens.user_for_confirmation(tokens.make_confirmation_token(account)) == account
    change = tokens.make_email_change_token(account, "new@example.com")
    assert tokens.email_change_for(change) == (account, "new@example.com")


def test_the_purposes_use_different_salts(account):
    confirmation = tokens.make_confirmation_token(account)
    assert tokens.user_for_password_reset(confirmation) is None
    assert tokens.email_change_for(confirmation) is None


def test_the_reset_token_reveals_nothing_of_the_password_hash(account):
    token = tokens.make_password_reset_token(account)
    assert account.password_hash not in token
    assert tokens.reset_fingerprint(account) not in account.password_hash


@pytest.mark.parametrize(
    "payload",
    [
        ["not", "a", "dict"],
        {"user": "1", "email": "ada@example.com"},
        {"user": 999, "email": "ada@example.com"},
        {"user": None},
        {"user": 1},
        {"user": 1, "email": 5},
    ],
    ids=["list", "string-id", "unknown-user", "no-id", "no-binding", "binding-not-text"],
)
def test_a_well_signed_token_with_the_wrong_payload_finds_nobody(account, payload):
    assert tokens.user_for_confirmation(signed(tokens.EMAIL_CONFIRMATION, payload)) is None


def test_an_email_change_token_needs_its_new_address(account):
    token = signed(tokens.EMAIL_CHANGE, {"user": account.id, "email": account.email})
    assert tokens.email_change_for(token) is None


def test_a_new_secret_key_invalidates_every_token(app, account):
    token = tokens.make_confirmation_token(account)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-to-use"
    assert tokens.user_for_confirmation(token) is None

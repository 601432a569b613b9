"""Accounts: the rules for emails and passwords, creating users, checking logins.

The HTML forms{% if cookiecutter.use_api %}, the API{% endif %} and the CLI all go through these functions,
so a rule is written once and holds everywhere.
"""

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.auth.passwords import hashing_slot, verify_password
from app.extensions import db
from app.infrastructure.database import is_storable

EMAIL_MAX_LENGTH = 254


class AccountError(ValueError):
    """A request about an account that cannot be honoured; the message says why."""


def email_problem(email: str) -> str | None:
    """Return why ``email`` cannot be used for an account, or None if it can."""
    if not is_storable(email):
        return "Invalid email address: it contains characters that cannot be used."
    if len(email) > EMAIL_MAX_LENGTH:
        return f"Email must be at most {EMAIL_MAX_LENGTH} characters."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        return f"Invalid email address: {error}"
    return None


def password_problem(password: str) -> str | None:
    """Return why ``password`` is not acceptable, or None if it is.

    Lengths count characters (code points), so any script and emoji are welcome.
    """
    low = current_app.config["PASSWORD_MIN_LENGTH"]
    high = current_app.config["PASSWORD_MAX_LENGTH"]
    if not low <= len(password) <= high:
        return f"Password must be between {low} and {high} characters long."
    if not is_storable(password):
        return "Password contains characters that cannot be used."
    return None


def create_account(email: str, password: str) -> User:
    """Create and return a user, or raise ``AccountError`` saying what is wrong."""
    problem = email_problem(email) or password_problem(password)
    if problem:
        raise AccountError(problem)
    # The slot first: waiting for it holds no database connection (app/auth/passwords.py).
    with hashing_slot():
        if User.find_by_email(email) is not None:
            raise AccountError("An account with this email already exists.")
        user = User(email=email)
        user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email registered by a concurrent request
        db.session.rollback()
        raise AccountError("An account with this email already exists.") from None
    return user


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash to check against when no user matches, made once per method.

    Made (once) inside the caller's hashing slot.
    """
    return generate_password_hash("not-a-real-password", method=method)


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose email and password match{% if cookiecutter.use_admin %} (and who is not disabled){% endif %}, else None.

    An unknown email still costs one hash check, so response times do not
    tell an attacker which emails have accounts. A hash made with older
    parameters is upgraded while the plain password is at hand.
    """
    usable = (
        is_storable(email)
        and is_storable(password)
        and len(password) <= current_app.config["PASSWORD_MAX_LENGTH"]
    )
    # The slot first: waiting for it holds no database connection (app/auth/passwords.py).
    with hashing_slot():
        user = User.find_by_email(email) if usable else None
        if user is None:
            dummy = _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
            verify_password(dummy, password if usable else "")
            return None
        if not user.check_password(password):
            return None
{%- if cookiecutter.use_admin %}
        if user.disabled:  # checked after the hash, so it costs (and answers) the same
            return None
{%- endif %}
        if user.password_needs_rehash():
            user.set_password(password)
            db.session.commit()
    return user


def must_confirm_first(user: User) -> bool:
    """True when ``user`` may not log in yet: unconfirmed, and ``ALLOW_UNCONFIRMED_LOGIN`` off."""
    return not user.email_confirmed and not current_app.config["ALLOW_UNCONFIRMED_LOGIN"]

"""The tokens in mailed links: signed, one salt per purpose, expiring, bound to what they change.

A token is itsdangerous's ``URLSafeTimedSerializer`` output (a Flask
dependency already): a small JSON payload, a timestamp and an HMAC made with
``SECRET_KEY`` and the purpose's salt, so a token made for one purpose never
passes for another. Nothing is stored: each token is bound instead to the
state it is meant to change, which makes it single-use where that matters.

* Password reset: bound to a fingerprint of the current password hash and
  address, so it stops working once used, once the password changes any
  other way, and once the account moves to another address (a link mailed
  to the old one must not outlive the move).
* Email confirmation: bound to the address it was sent to.
* Email change: bound to the current address, and carrying the new one, so
  it works once and not after another change.

Each expires after its ``*_MAX_AGE`` setting. A token that is malformed,
tampered with, expired, used or meant for something else reads as None.
"""

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db

PASSWORD_RESET = "password-reset"  # noqa: S105  (a salt name, not a password)  # nosec B105
EMAIL_CONFIRMATION = "email-confirmation"
EMAIL_CHANGE = "email-change"


def serializer(purpose: str) -> URLSafeTimedSerializer:
    """The signer for one purpose (its name is the salt)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def read(purpose: str, token: str, max_age_setting: str) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token for ``purpose``, else None."""
    try:
        payload = serializer(purpose).loads(token, max_age=current_app.config[max_age_setting])
    except BadData:  # a bad signature, an expired token, a payload that is not JSON
        return None
    return payload if isinstance(payload, dict) else None


def user_in(payload: dict[str, Any] | None, bound_to: str, value_of: Any) -> User | None:
    """The user the payload names, if its ``bound_to`` value still matches ``value_of(user)``."""
    if payload is None or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not isinstance(payload.get(bound_to), str):
        return None
    return user if hmac.compare_digest(payload[bound_to], value_of(user)) else None


def reset_fingerprint(user: User) -> str:
    """A keyed digest of the password hash and the address: changes with either,
    reveals nothing of them (a NUL, which neither can hold, keeps them apart)."""
    key = current_app.config["SECRET_KEY"].encode()
    state = f"{user.password_hash}\x00{user.email}".encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:32]


def current_email(user: User) -> str:
    """What confirmation and email-change tokens are bound to: the address now on the account."""
    return user.email


def make_password_reset_token(user: User) -> str:
    """A token for ``/auth/reset/<token>``, good until used, until the address
    changes, or ``PASSWORD_RESET_MAX_AGE``."""
    return serializer(PASSWORD_RESET).dumps({"user": user.id, "state": reset_fingerprint(user)})


def user_for_password_reset(token: str) -> User | None:
    """The user a reset token is for, while it is unused and unexpired."""
    payload = read(PASSWORD_RESET, token, "PASSWORD_RESET_MAX_AGE")
    return user_in(payload, "state", reset_fingerprint)


def make_confirmation_token(user: User) -> str:
    """A token for ``/auth/confirm/<token>``, confirming the user's current address."""
    return serializer(EMAIL_CONFIRMATION).dumps({"user": user.id, "email": user.email})


def user_for_confirmation(token: str) -> User | None:
    """The user whose current address a confirmation token confirms, while unexpired."""
    payload = read(EMAIL_CONFIRMATION, token, "EMAIL_CONFIRMATION_MAX_AGE")
    return user_in(payload, "email", current_email)


def make_email_change_token(user: User, new_email: str) -> str:
    """A token for ``/account/email/<token>``: change the user's address to ``new_email``."""
    return serializer(EMAIL_CHANGE).dumps(
        {"user": user.id, "email": user.email, "new_email": new_email}
    )


def email_change_for(token: str) -> tuple[User, str] | None:
    """The user and new address an email-change token names, while unused and unexpired."""
    payload = read(EMAIL_CHANGE, token, "EMAIL_CHANGE_MAX_AGE")
    user = user_in(payload, "email", current_email)
    if user is None or payload is None or not isinstance(payload.get("new_email"), str):
        return None
    return user, payload["new_email"]

"""The ``User`` model: who can log in, and how their password is kept."""

import secrets
import unicodedata
from datetime import datetime
from typing import Self

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.auth.passwords import hash_password, verify_password
from app.extensions import Model, db
from app.infrastructure.database import UTCDateTime, utcnow


def new_login_id() -> str:
    """A fresh random id for Flask-Login's session and remember-me cookie."""
    return secrets.token_urlsafe(32)


def normalize_email(email: str) -> str:
    """The form an email is stored and looked up in.

    Lower case, because addresses are compared case-insensitively, and
    Unicode NFC, so "é" typed as one character or as "e" plus an accent is
    the same address.
    """
    return unicodedata.normalize("NFC", email.strip()).lower()


class User(UserMixin, Model):
    """An account. Only a salted scrypt (or argon2/PBKDF2) hash of the password is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # 255 fits every Werkzeug hash format; scrypt's alone is 162 characters.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the owner followed a link mailed to this address; None until then.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What Flask-Login keeps in sessions and remember-me cookies instead of
    # the primary key. Changing it (at logout) revokes every one of them.
    login_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_id)

    def get_id(self) -> str:
        """Flask-Login's handle for this user: the revocable ``login_id``."""
        return self.login_id

    def revoke_logins(self) -> None:
        """Make every session and remember-me cookie of this user worthless, on every device.

        A session stops trusting its copy of the user at its next check
        (``app/auth/session_user.py``); ``app/auth/revocation.py`` also ends
        the stored sessions at once.
        """
        self.login_id = new_login_id()

    @property
    def email_confirmed(self) -> bool:
        """True once the owner has followed a link mailed to the current address."""
        return self.email_confirmed_at is not None

    def confirm_email(self) -> None:
        """Record that the current address reaches the owner (kept from the first time)."""
        if self.email_confirmed_at is None:
            self.email_confirmed_at = utcnow()

    def change_email(self, email: str) -> None:
        """Move the account to ``email``, confirmed: the owner followed a link mailed there."""
        self.email = email
        self.email_confirmed_at = utcnow()

    @validates("email")
    def _normalize_email(self, _key: str, email: str) -> str:
        return normalize_email(email)

    def set_password(self, password: str) -> None:
        """Hash ``password`` with the configured method and keep only the hash."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return verify_password(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """True when the stored hash was made with other parameters than today's."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        return self.password_hash.split("$", 1)[0] != method

    @classmethod
    def find_by_email(cls, email: str) -> Self | None:
        """Return the user with this email (in any letter case), or None."""
        return db.session.scalar(select(cls).where(cls.email == normalize_email(email)))

    @classmethod
    def find_by_login_id(cls, login_id: str) -> Self | None:
        """Return the user whose current ``login_id`` this is, or None."""
        return db.session.scalar(select(cls).where(cls.login_id == login_id))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

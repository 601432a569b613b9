"""The ``User`` model (who can log in, and how their password is kept) and ``Login``
(one logged-in browser)."""

import secrets
import unicodedata
from datetime import datetime
from typing import Self

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ColumnElement, ForeignKey, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
{%- if cookiecutter.use_admin %}
from sqlalchemy.sql.expression import false
{%- endif %}

from app.auth.passwords import hash_password, verify_password
from app.extensions import Model, db
from app.infrastructure.database import UTCDateTime, utcnow


def normalize_email(email: str) -> str:
    """The form an email is stored and looked up in.

    Lower case, because addresses are compared case-insensitively, and
    Unicode NFC, so "é" typed as one character or as "e" plus an accent is
    the same address.
    """
    return unicodedata.normalize("NFC", email.strip()).lower()


class User(Model):
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
{%- if cookiecutter.use_admin %}
    # The administrator role (app/auth/roles.py): the pages under /admin/.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When an administrator disabled the account; None while it may log in.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
{%- endif %}
{%- if cookiecutter.use_uploads %}
    # The current picture (app/account/avatar.py); on this row so that every page has it.
    # The key is added after both tables exist: they name each other.
    avatar_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL", use_alter=True)
    )
{%- endif %}

    @property
    def email_confirmed(self) -> bool:
        """True once the owner has followed a link mailed to the current address."""
        return self.email_confirmed_at is not None
{%- if cookiecutter.use_admin %}

    @property
    def disabled(self) -> bool:
        """True while an administrator keeps the account from logging in."""
        return self.disabled_at is not None
{%- endif %}

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

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Login(UserMixin, Model):
    """One logged-in browser: what Flask-Login keeps in its session and remember-me cookie.

    Each login (with the password, or by ``log_in`` after a password change)
    is a row with a random id; Flask-Login stores that id, never the user's.
    Every request loads its login and user in one query by that id, so
    deleting the row (logout, a revocation) ends that browser's session and
    remember-me cookie at its very next request, on every instance. A login
    also ends once it is ``REMEMBER_COOKIE_DURATION`` old (14 days), however
    active its session: a stolen session cannot be kept alive for ever, and
    old rows can go (``log_in`` deletes the user's).
    """

    __tablename__ = "logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def __init__(self, user: User) -> None:
        super().__init__(id=secrets.token_urlsafe(32), user=user)

    @classmethod
    def unexpired(cls) -> ColumnElement[bool]:
        """The condition a login meets until it is ``REMEMBER_COOKIE_DURATION`` old."""
        return cls.created_at > login_cutoff()

    @classmethod
    def find(cls, login_id: str) -> "Login | None":
        """The login with this id and its user (one query), or None once it has ended."""
        return db.session.scalar(FIND_LOGIN, {"login_id": login_id, "cutoff": login_cutoff()})

    def __repr__(self) -> str:
        return f"<Login of user {self.user_id}>"


def login_cutoff() -> datetime:
    """The creation time before which a login has expired."""
    return utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]


# Built once, with its values as parameters: each page view then skips
# building the statement and its cache key.
FIND_LOGIN = select(Login).where(
    Login.id == bindparam("login_id"), Login.created_at > bindparam("cutoff")
)

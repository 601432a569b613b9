"""The ``ApiToken`` model: bearer tokens for the JSON API, kept only as hashes.

A token is 32 random bytes, so a fast SHA-256 is enough to make a stolen
table useless (there is no password to guess); the plain token is shown to
its owner once, when it is issued, and never stored.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Self

from sqlalchemy import ForeignKey, String, bindparam, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, db
from app.infrastructure.database import UTCDateTime, utcnow

# A token's name: what it is for (optional with POST /api/v1/tokens, required on its page).
NAME_MAX_LENGTH = 100


def hash_token(token: str) -> str:
    """The stored form of ``token``: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(Model):
    """One issued bearer token: whose it is and until when it is valid."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    name: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @classmethod
    def issue(cls, user: User, lifetime: timedelta, name: str | None = None) -> tuple[Self, str]:
        """Create a token for ``user`` valid for ``lifetime``; return it and its plain text."""
        plain = secrets.token_urlsafe(32)
        expires_at = utcnow() + lifetime
        token = cls(user=user, token_hash=hash_token(plain), expires_at=expires_at, name=name)
        db.session.add(token)
        return token, plain

    @classmethod
    def find_valid(cls, plain: str) -> "ApiToken | None":
        """The unexpired token whose plain text is ``plain`` (with its user), or None."""
        return db.session.scalar(VALID_TOKEN, {"token_hash": hash_token(plain), "now": utcnow()})

    @classmethod
    def delete_expired(cls, user: User) -> None:
        """Forget ``user``'s expired tokens, so the table does not grow forever."""
        db.session.execute(delete(cls).where(cls.user_id == user.id, cls.expires_at <= utcnow()))

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"


# Looked up on every API request: built once, so a request only binds its values.
VALID_TOKEN = select(ApiToken).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.expires_at > bindparam("now")
)

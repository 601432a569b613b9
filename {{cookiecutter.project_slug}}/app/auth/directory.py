"""Finding users: the searchable, paginated list the admin pages{% if cookiecutter.use_api %} and the API{% endif %} show."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true

from app.auth.models import User, normalize_email
from app.extensions import db
from app.infrastructure.database import is_storable


@dataclass(frozen=True)
class UserPage:
    """One page of users, newest first, and how many match in all."""

    items: list[User]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def email_contains(text: str) -> ColumnElement[bool]:
    """Emails containing ``text`` literally: ``%`` and ``_`` are no wildcards here.

    Emails are stored normalised (lower case), so the text is too. Text no
    email can hold (NUL) matches nothing rather than reaching the database.
    """
    if not text:
        return true()
    if not is_storable(text):
        return User.id.is_(None)
    return User.email.contains(normalize_email(text), autoescape=True)


def users_page(text: str, page: int, per_page: int) -> UserPage:
    """The ``page``-th group of ``per_page`` users whose email contains ``text``."""
    condition = email_contains(text)
    total = db.session.scalar(select(func.count()).select_from(User).where(condition)) or 0
    offset = (page - 1) * per_page
    if offset >= total:  # past the end: no query, whatever OFFSET the databases allow
        return UserPage([], page, per_page, total)
    query = (
        select(User)
        .where(condition)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(per_page)
        .offset(offset)
    )
    return UserPage(list(db.session.scalars(query)), page, per_page, total)

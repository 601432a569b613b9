"""``/api/v1/users``: every user, for administrators (the admin user list, as JSON)."""

from typing import TYPE_CHECKING

from flask.views import MethodView
from pydantic import Field

from app.api import bp
from app.api.auth import authenticate
from app.api.operations import operation
from app.api.schemas import Output, PageQuery, Timestamp, storable_text_type
from app.auth.accounts import EMAIL_MAX_LENGTH
from app.auth.directory import UserPage, users_page
from app.auth.roles import ADMIN, require_role

if TYPE_CHECKING:  # the pydantic type is made at run time; to a type checker it is str
    SearchText = str
else:
    SearchText = storable_text_type(max_length=EMAIL_MAX_LENGTH)


class UserQuery(PageQuery):
    """``?page=&per_page=`` as for every list, and ``q``: a literal part of the email."""

    q: SearchText = Field(
        default="", description="Keep users whose email contains this text (no wildcards)."
    )


class UserSummaryOut(Output):
    """A user as administrators see them in the list."""

    id: int
    email: str
    created_at: Timestamp
    last_login_at: Timestamp | None
    email_confirmed: bool
    is_admin: bool
    disabled: bool


class UserPageOut(Output):
    """One page of users, newest first, and how many match in all."""

    items: list[UserSummaryOut]
    page: int
    per_page: int
    total: int


class UserListView(MethodView):
    """Every user; 403 for callers who are not administrators."""

    # The first listed is the innermost: the role is checked once the caller is known.
    decorators = [require_role(ADMIN), authenticate()]

    @operation(query=UserQuery, response=UserPageOut, errors=(403,))
    def get(self, query: UserQuery) -> UserPage:
        """List users, newest first (administrators only).

        ``q`` keeps the users whose email contains it, literally: ``%`` and
        ``_`` are ordinary characters. A page past the end is empty.
        """
        return users_page(query.q, query.page, query.per_page)


bp.add_url_rule("/users", view_func=UserListView.as_view("users"))

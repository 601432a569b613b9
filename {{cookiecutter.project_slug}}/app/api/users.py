"""``/api/v1/users/me``: the caller's own account."""

from flask import g
from flask.views import MethodView

from app.api import bp
from app.api.auth import authenticate
from app.api.operations import operation
from app.api.schemas import Output, Timestamp
from app.auth.models import User


class UserOut(Output):
    """A user as the API shows it: never the password hash or login id."""

    id: int
    email: str
    # True once the owner has followed a link mailed to this address.
    email_confirmed: bool
{%- if cookiecutter.use_admin %}
    # The administrator role: the pages under /admin/ and GET /api/v1/users.
    is_admin: bool
{%- endif %}
    created_at: Timestamp


class CurrentUserView(MethodView):
    """The account the token or session belongs to."""

    decorators = [authenticate()]

    @operation(response=UserOut)
    def get(self) -> User:
        """Show the caller's account."""
        return g.user


bp.add_url_rule("/users/me", view_func=CurrentUserView.as_view("current_user"))

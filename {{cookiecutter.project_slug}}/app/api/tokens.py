"""``/api/v1/tokens``: exchange an email and password for a bearer token, and revoke it."""

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import abort, current_app, g
from flask.views import MethodView
from pydantic import Field
from sqlalchemy import delete

from app.api import bp
from app.api.auth import authenticate, unauthorized
from app.api.models import NAME_MAX_LENGTH, ApiToken
from app.api.operations import operation
from app.api.schemas import Input, Output, Timestamp, storable_text_type
from app.auth.accounts import EMAIL_MAX_LENGTH, must_confirm_first
from app.auth.accounts import authenticate as check_credentials
from app.auth.signals import logins_revoked
from app.extensions import db
from app.web.rate_limits import failed_login_limit

# Longer than any allowed password, short enough that hashing it is cheap.
CREDENTIAL_MAX_LENGTH = 1024

if TYPE_CHECKING:  # the pydantic type is made at run time; to a type checker it is str
    TokenName = str
else:
    TokenName = storable_text_type(min_length=1, max_length=NAME_MAX_LENGTH)


class TokenRequest(Input):
    """The account's credentials, exactly as on the login form, and optionally a name for
    the token (what it is for, shown on the tokens page)."""

    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    password: str = Field(max_length=CREDENTIAL_MAX_LENGTH)
    name: TokenName | None = None


class TokenOut(Output):
    """A new token: shown this once, then only its hash is kept."""

    token: str
    expires_at: Timestamp


class TokensView(MethodView):
    """Bearer tokens. POST is public (it is how a client logs in); DELETE needs the token."""

    # The failed-login limit is shared with the HTML login form: a 401 here
    # counts against the client's address like a wrong password there.
    decorators = [authenticate(public_methods={"POST"}), failed_login_limit]

    @operation(body=TokenRequest, response=TokenOut, status=201, errors=(401, 403, 429))
    def post(self, body: TokenRequest) -> tuple[TokenOut, dict[str, str]]:
        """Issue a token for an email and password.

        Wrong credentials get one 401 that does not say which was wrong; an
        account that must confirm its address first (``ALLOW_UNCONFIRMED_LOGIN``
        off) gets 403.
        """
        user = check_credentials(body.email, body.password)
        if user is None:
            unauthorized("Invalid email or password.")
        if must_confirm_first(user):
            abort(403, "Confirm your email address first: follow the link mailed to it.")
        ApiToken.delete_expired(user)
        lifetime = timedelta(seconds=current_app.config["API_TOKEN_LIFETIME_SECONDS"])
        token, plain = ApiToken.issue(user, lifetime, body.name)
        db.session.commit()
        # RFC 6749 section 5.1: responses carrying a token must not be cached.
        return TokenOut(token=plain, expires_at=token.expires_at), {"Cache-Control": "no-store"}

    @operation(status=204)
    def delete(self) -> None:
        """Revoke the bearer token this request is made with."""
        if g.api_token is None:
            abort(400, "Send the token to revoke in the 'Authorization: Bearer' header.")
        db.session.delete(g.api_token)
        db.session.commit()


def delete_tokens_of(_app: object, user_id: int, **_extra: object) -> None:
    """When every login of a user is revoked (a new password, a deleted account), so are
    their tokens; the revoking request commits."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


logins_revoked.connect(delete_tokens_of)
bp.add_url_rule("/tokens", view_func=TokensView.as_view("tokens"))

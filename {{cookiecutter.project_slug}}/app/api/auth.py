"""Who is calling the API: a bearer token, or the browser's session cookie.

Views opt in through their class's ``decorators`` list
(``decorators = [authenticate()]``), never method by method. The app-wide
login guard leaves such views to this module, so an API client gets a 401
problem instead of a redirect to the HTML login form.

A bearer token, when sent, always wins over the cookie. A cookie-authenticated
call that changes something (POST, PATCH, DELETE) must also carry the
session's CSRF token in an ``X-CSRFToken`` header, as a page's script would;
otherwise another site could make the browser call the API with its cookie.
"""

import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import NoReturn, ParamSpec, TypeVar

from flask import abort, g, request
from werkzeug.datastructures import WWWAuthenticate

from app.api.models import ApiToken
from app.auth.models import User
from app.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What ``secrets.token_urlsafe(32)`` produces; anything else is not worth a query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")

Params = ParamSpec("Params")
Result = TypeVar("Result")


def unauthorized(detail: str, error: str | None = None) -> NoReturn:
    """Stop with 401 and a ``WWW-Authenticate: Bearer`` challenge (RFC 6750)."""
    challenge = WWWAuthenticate("bearer", {"error": error} if error else None)
    abort(401, detail, www_authenticate=challenge)


def user_from_bearer_token() -> User:
    """The owner of the request's valid bearer token; 401 for any other Authorization."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        unauthorized("Send an API token as 'Authorization: Bearer <token>'.", "invalid_request")
    token = (
        ApiToken.find_valid(credentials.token)
        if TOKEN_PATTERN.fullmatch(credentials.token)
        else None
    )
{%- if cookiecutter.use_admin %}
    if token is None or token.user.disabled:
{%- else %}
    if token is None:
{%- endif %}
        unauthorized("The API token is invalid, expired or revoked.", "invalid_token")
    g.api_token = token
    return token.user


def user_from_session_cookie() -> User:
    """The user logged in with the session cookie, after the CSRF check for unsafe methods."""
    if g.user is None:
        unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
    if request.method not in SAFE_METHODS:
        csrf.protect()  # 400 problem details when the X-CSRFToken header is missing or wrong
    user: User = g.user
    return user


def authenticate(
    public_methods: Iterable[str] = (),
) -> Callable[[Callable[Params, Result]], Callable[Params, Result]]:
    """A view decorator that sets ``g.user`` to the API caller, or answers 401.

    ``public_methods`` (e.g. ``{"POST"}`` to exchange a password for a
    token) are let through without credentials.
    """
    public_methods = frozenset(public_methods)

    def decorator(view: Callable[Params, Result]) -> Callable[Params, Result]:
        @wraps(view)
        def authenticated_view(*args: Params.args, **kwargs: Params.kwargs) -> Result:
            g.api_token = None
            if request.method not in public_methods:
                if "Authorization" in request.headers:
                    g.user = user_from_bearer_token()
                else:
                    g.user = user_from_session_cookie()
            return view(*args, **kwargs)

        # Read by the login guard (hands the request over) and by the OpenAPI builder;
        # marker attributes, which a function takes and its type does not declare.
        authenticated_view.authenticates_itself = True  # type: ignore[attr-defined]
        authenticated_view.public_methods = public_methods  # type: ignore[attr-defined]
        return authenticated_view

    return decorator

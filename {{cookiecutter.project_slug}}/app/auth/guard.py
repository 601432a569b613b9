"""The login guard: every view is private unless marked ``@public``.

Failing closed means a new view cannot be exposed by forgetting a
decorator; it can only be opened on purpose.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
{%- if cookiecutter.use_api %}
from werkzeug.datastructures import WWWAuthenticate
{%- endif %}
from werkzeug.wrappers import Response

from app.auth.login_session import forget_ended_login
from app.infrastructure.sessions import is_sessionless
from app.web.negotiation import wants_json

# A view function or a ``MethodView`` class: what ``@public`` marks and returns.
View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Mark a view function (or a ``MethodView`` class) as open to everyone."""
    # A marker attribute, read by is_public_endpoint; functions and classes take any.
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_static_endpoint(endpoint: str) -> bool:
    """True for the app's static files and those of a blueprint that has a static folder."""
    if endpoint == "static":
        return True
    blueprint_name, _, view_name = endpoint.rpartition(".")
    blueprint = current_app.blueprints.get(blueprint_name)
    return view_name == "static" and blueprint is not None and blueprint.has_static_folder


def is_public_endpoint(endpoint: str | None) -> bool:
    """True for public views, static files, and requests that matched no route.

    A request with no endpoint is left alone so that routing answers 404 or
    405 itself (a guard that redirected here would hide unknown URLs).
    """
    if endpoint is None or is_static_endpoint(endpoint):
        return True
    view = current_app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    return getattr(view, "is_public", False) or getattr(view_class, "is_public", False)


{%- if cookiecutter.use_api or cookiecutter.use_realtime %}


def authenticates_itself(endpoint: str) -> bool:
    """True for views marked as checking credentials themselves ({% if cookiecutter.use_api %}the API's{% endif %}{% if cookiecutter.use_api and cookiecutter.use_realtime %}, {% endif %}{% if cookiecutter.use_realtime %}/ws{% endif %})."""
    return getattr(current_app.view_functions[endpoint], "authenticates_itself", False)
{%- endif %}


def load_logged_in_user() -> None:
    """Set ``g.user`` to the logged-in user, or None for an anonymous visitor.

    Views marked ``@without_session`` (``/health``) are public and never
    look: loading the user needs Redis and the database, which they check.
    A session whose login has ended (logged out elsewhere, revoked) forgets it.
{%- if cookiecutter.use_admin %}
    A disabled user's login counts as anonymous too (disabling ends their
    logins already; this holds even if one were left, at no extra query).
{%- endif %}
    """
    g.user = None
    if is_sessionless(request.endpoint):
        return
{%- if cookiecutter.use_admin %}
    if current_user.is_authenticated and not current_user.user.disabled:
{%- else %}
    if current_user.is_authenticated:
{%- endif %}
        g.user = current_user.user  # Flask-Login's user is the ``Login``: whose it is
    else:
        forget_ended_login()


def is_automatic_options() -> bool:
    """True for an OPTIONS request Flask answers itself (the ``Allow`` list, no view code)."""
    rule = request.url_rule
    return request.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False)


def require_login() -> Response | None:
    """Send anonymous visitors of private pages to the login form (401 for JSON)."""
    endpoint = request.endpoint
    if g.user is not None or is_public_endpoint(endpoint) or is_automatic_options():
        return None
    assert endpoint is not None  # a request with no endpoint is public, see above
{%- if cookiecutter.use_api or cookiecutter.use_realtime %}
    if authenticates_itself(endpoint):
        return None
{%- endif %}
    if wants_json():
{%- if cookiecutter.use_api %}
        abort(401, www_authenticate=WWWAuthenticate("bearer"))
{%- else %}
        # No challenge: a session cookie is no HTTP authentication scheme.
        abort(401)
{%- endif %}
    return redirect(url_for("auth.login", next=path_with_query()))


def path_with_query() -> str:
    """The requested path and query string, to come back to after logging in."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path

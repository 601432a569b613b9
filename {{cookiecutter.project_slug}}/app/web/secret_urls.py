"""URL parts that are secrets (the tokens of mailed links), kept out of every log.

A reset, confirmation or email-change link carries its token in the path,
and whoever holds the token can use it: a log line with the path in full
would let anyone who reads the logs reset a password from a link its owner
opened but did not use. So a route says which of its parts are secret, with
the ``secret`` converter (``/reset/<secret:token>``), and everything that
writes a URL asks this module first:

* the app's own request line writes ``logged_path()``, the path with each
  secret part replaced by ``[REDACTED]`` (``app/web/logs.py``);
* gunicorn's access log, when it is on, masks the same parts in every field
  it writes (``gunicorn.conf.py`` finds them in the WSGI environ, under
  ``SECRET_PARTS_KEY``);
* the page is served with ``Referrer-Policy: no-referrer``, so the browser
  does not send the link on as the ``Referer`` of the form it posts, of the
  page it is redirected to, or of any link followed from it.

A secret part reaches the view as a ``SecretPart``: a ``str`` like any other.
"""

from collections.abc import Iterable, Mapping

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Response

REDACTED = "[REDACTED]"
# Where a request's secret parts are kept for gunicorn's access log (gunicorn.conf.py).
SECRET_PARTS_KEY = "app.secret_url_parts"  # noqa: S105  (a key name)  # nosec B105


class SecretPart(str):
    """A part of the URL that a route marked secret."""

    __slots__ = ()


class SecretConverter(BaseConverter):
    """``<secret:name>``: one path segment, like the default converter, but never logged."""

    def to_python(self, value: str) -> SecretPart:
        return SecretPart(value)


def secret_parts() -> tuple[str, ...]:
    """This request's secret URL parts (computed once, then kept in the WSGI environ)."""
    parts = request.environ.get(SECRET_PARTS_KEY)
    if parts is None:
        values = request.view_args if request.view_args is not None else values_of_405()
        parts = tuple(value for value in values.values() if isinstance(value, SecretPart))
        request.environ[SECRET_PARTS_KEY] = parts
    return parts


def values_of_405() -> Mapping[str, object]:
    """The URL values of a request that matched a route with another method (405).

    Routing stopped before converting them, but the path is the route's all
    the same: ``POST`` to a ``GET`` link must not write its token either.
    """
    error = request.routing_exception
    if not isinstance(error, MethodNotAllowed) or not error.valid_methods:
        return {}
    method = next(iter(error.valid_methods))
    adapter = current_app.create_url_adapter(request)
    assert adapter is not None  # there is a request
    try:
        _endpoint, values = adapter.match(method=method)
    except HTTPException:
        return {}
    return values


def mask(text: str, parts: Iterable[str]) -> str:
    """``text`` with every one of ``parts`` replaced by ``[REDACTED]``."""
    for part in parts:
        if part:
            text = text.replace(part, REDACTED)
    return text


def logged_path() -> str:
    """The request's path as logs may write it: each secret segment masked."""
    parts = secret_parts()
    if not parts:
        return request.path
    segments = request.path.split("/")
    return "/".join(REDACTED if segment in parts else segment for segment in segments)


def no_referrer_for_secret_pages(response: Response) -> Response:
    """A page reached by a secret link is not named in the ``Referer`` of what follows it."""
    if secret_parts():
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app: Flask) -> None:
    """Make ``<secret:...>`` available in every URL rule; keep its pages out of referrers.

    (The hook is registered before the security headers' defaults, so it runs
    after them: ``after_request`` hooks run in reverse order.)
    """
    app.url_map.converters["secret"] = SecretConverter
    app.after_request(no_referrer_for_secret_pages)

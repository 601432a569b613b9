"""Who opens a socket, and from which site: checked before the handshake is answered.

Browsers send cookies on a WebSocket handshake from any site, and
``SameSite=Lax`` does not stop a sibling subdomain, so a handshake that
relies on the session cookie must carry the ``Origin`` of this app (the
scheme, host and port of ``PUBLIC_URL``). A missing ``Origin`` is refused
too: every browser sends one, so only something that is not a browser, or
that hides it, would leave it out.

In development (``REALTIME_ACCEPT_LOOPBACK_HOST``) the address the page was
opened at is accepted too, when it is a loopback one (``localhost``,
``127.0.0.1``, ``[::1]``) and the very host and port the handshake came to:
``localhost:5000`` and ``127.0.0.1:5000`` both work. A page of any other
site sends its own ``Origin``, which matches neither; a rebound DNS name
sends its own name in ``Host``, which is not a loopback one.
{%- if cookiecutter.use_api %}

Scripts authenticate with an API bearer token instead (``bearer.py``).
They carry no ambient credentials, so they may leave ``Origin`` out; a
foreign one is still refused, since a page of another site can send no
token of ours.
{%- endif %}
"""

import ipaddress
from urllib.parse import urlsplit

from flask import abort, current_app, g, request, session
from flask_login import current_user
{%- if cookiecutter.use_api %}
from werkzeug.datastructures import WWWAuthenticate
{%- endif %}

{% if cookiecutter.use_api -%}
from app.realtime.bearer import bearer_listener
{% endif -%}
from app.realtime.sockets import Listener

DEFAULT_PORTS = {"http": 80, "https": 443}
# A WebSocket URL's scheme and the HTTP scheme of the page that opens it.
HTTP_SCHEMES = {"ws": "http", "wss": "https"}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lower case and without a default port.

    None for anything that is not an http(s) or ws(s) URL, such as the
    ``null`` origin of a sandboxed page or a file.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = HTTP_SCHEMES.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def own_origin() -> str | None:
    """This app's origin: ``PUBLIC_URL``'s, else the scheme and host the request came to."""
    public_url = current_app.config.get("PUBLIC_URL")
    return origin_of(public_url or request.host_url)


def is_loopback(origin: str) -> bool:
    """True for an origin on this machine's loopback interface (``localhost`` included)."""
    host = urlsplit(origin).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def accepts(origin: str | None) -> bool:
    """True when a page of ``origin`` may open the socket (see the module's docstring)."""
    if origin is None:
        return False
    if origin == own_origin():
        return True
    if not current_app.config.get("REALTIME_ACCEPT_LOOPBACK_HOST"):
        return False
    return origin == origin_of(request.host_url) and is_loopback(origin)


def foreign_origin(origin: str) -> str:
    """Why a page's origin is refused: what a developer reads in the log and on the page."""
    shown = origin[:100]
    return (
        f"Live updates refused: this page's address ({shown}) is not PUBLIC_URL "
        f"({own_origin()}); open that address or set PUBLIC_URL."
    )


def check_origin(listener: Listener) -> None:
    """403 for a foreign ``Origin``, or for none at all on a cookie-authenticated handshake."""
    origin = request.headers.get("Origin")
    if origin is None:
        if listener.login_id is not None:
            abort(403, "A handshake made with the session cookie must send its Origin.")
        return
    if not accepts(origin_of(origin)):
        abort(403, foreign_origin(origin))


def check_page_origin() -> None:
    """The same check for the page's plain ``GET /ws``, which names its page in ``X-Page-Origin``.

    Browsers send no ``Origin`` on a same-origin GET, so the page's script
    says where it runs: only to learn why its socket is refused (403 with
    the reason) instead of retrying in vain. It opens nothing, so there is
    nothing to protect here; the handshake checks the real ``Origin``.
    """
    page = request.headers.get("X-Page-Origin")
    if page is not None and not accepts(origin_of(page)):
        abort(403, foreign_origin(page))


def identify() -> Listener:
{%- if cookiecutter.use_api %}
    """The caller as a ``Listener``; 401 for anyone not logged in.

    A bearer token, when sent, wins over the cookie, as in the API.
    """
{%- else %}
    """The caller as a ``Listener``; 401 for anyone not logged in."""
{%- endif %}
{%- if cookiecutter.use_api %}
    if "Authorization" in request.headers:
        return bearer_listener()
{%- endif %}
    return cookie_listener()


def cookie_listener() -> Listener:
    """The logged-in user of the session cookie, with the id of their login.

    A session that this very request has just created or moved to a new id
    (a remember-me login) is refused: a handshake cannot hand the new
    cookie to the browser, which will get it from its next page view.
    """
    sid = getattr(session, "sid", None)
    cookie = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    if g.user is None or sid is None or sid != cookie:
{%- if cookiecutter.use_api %}
        abort(
            401,
            "Log in to receive live updates.",
            www_authenticate=WWWAuthenticate("bearer"),
        )
{%- else %}
        abort(401, "Log in to receive live updates.")
{%- endif %}
    return Listener(user_id=g.user.id, login_id=current_user.get_id())

"""Who opens a socket, and from which site: checked before the handshake is answered.

Browsers send cookies on a WebSocket handshake from any site, and
``SameSite=Lax`` does not stop a sibling subdomain, so a handshake that
relies on the session cookie must carry the ``Origin`` of this app (the
scheme, host and port of ``PUBLIC_URL``). A missing ``Origin`` is refused
too: every browser sends one, so only something that is not a browser, or
that hides it, would leave it out.
{%- if cookiecutter.use_api %}

Scripts authenticate with an API bearer token instead (``bearer.py``).
They carry no ambient credentials, so they may leave ``Origin`` out; a
foreign one is still refused, since a page of another site can send no
token of ours.
{%- endif %}
"""

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


def check_origin(listener: Listener) -> None:
    """403 for a foreign ``Origin``, or for none at all on a cookie-authenticated handshake."""
    origin = request.headers.get("Origin")
    if origin is None:
        if listener.login_id is not None:
            abort(403, "A handshake made with the session cookie must send its Origin.")
        return
    if origin_of(origin) != own_origin():
        abort(403, "Pages of this origin may not open the live updates socket.")


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

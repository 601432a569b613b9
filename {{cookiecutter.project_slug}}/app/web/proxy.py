"""Believe ``X-Forwarded-For`` and ``X-Forwarded-Proto`` only from the proxies allowed to send them.

Behind a reverse proxy (Caddy, nginx, a load balancer) the client's address
and scheme arrive in these headers. Anyone else can send them too: a client
reaching gunicorn directly would pick a new address for each failed login
(a fresh count every time) and claim HTTPS over plain HTTP (HSTS sent where
it means nothing). So they are believed only when the peer, the address the
connection comes from, is in ``FORWARDED_ALLOW_IPS``: the same variable, with
the same syntax and default, that gunicorn reads for its own scheme headers
(addresses and CIDR networks separated by commas, or ``*`` for every peer;
``127.0.0.1`` by default). From any other peer both headers are removed
before the app sees the request, so rate limits, logs and HSTS all see the
peer's own address and scheme.

``TRUSTED_PROXY_HOPS`` is how many proxies stand in front (1 in production,
0 elsewhere, which believes nothing): trusting more hops than there are
would let a client forge its own address. ``X-Forwarded-Host`` and ``-Port``
are never trusted: many proxies pass a client's own value through, and
absolute links built from it could point at another site.
"""

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config_checks import ANY_PEER, parse_allow_list

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AllowedPeers:
    """The peers of ``FORWARDED_ALLOW_IPS``: ``peer in allowed`` for an address as text."""

    def __init__(self, entries: Iterable[str]) -> None:
        entries = list(entries)
        self.any = ANY_PEER in entries
        self.networks: list[Network] = [
            ipaddress.ip_network(entry) for entry in entries if entry != ANY_PEER
        ]

    def __contains__(self, peer: str) -> bool:
        if self.any:
            return True
        if not peer:
            # A unix socket has no peer address: only processes allowed to open
            # the socket file reach it, and gunicorn trusts them too.
            return True
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class TrustedProxyFix:
    """``ProxyFix`` for requests from allowed peers; the forwarded headers dropped for others."""

    def __init__(self, app: "WSGIApplication", allowed: AllowedPeers, hops: int) -> None:
        self.app = app
        self.allowed = allowed
        self.proxy_fix = ProxyFix(app, x_for=hops, x_proto=hops, x_host=0, x_port=0)

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR", "") in self.allowed:
            return self.proxy_fix(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Install ``TrustedProxyFix`` when the config says a proxy stands in front."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        allowed = AllowedPeers(parse_allow_list(app.config["FORWARDED_ALLOW_IPS"]))
        # Flask's documented way to add WSGI middleware: replace the method on the instance.
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, allowed, hops)  # type: ignore[method-assign]

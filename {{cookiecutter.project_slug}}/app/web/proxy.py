"""Trust ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from known reverse proxies.

Behind one proxy (nginx, a load balancer) the client's address and scheme
arrive in these headers. Trusting more hops than there are proxies would
let a client forge its own address, so the count is a setting
(``TRUSTED_PROXY_HOPS``: 1 in production, 0 elsewhere). ``X-Forwarded-Host``
and ``-Port`` are not trusted: many proxies pass a client's own value
through, and absolute links built from it could point at another site.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Install ProxyFix when the config says a proxy stands in front."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        # Flask's documented way to add WSGI middleware: replace the method on the instance.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0
        )

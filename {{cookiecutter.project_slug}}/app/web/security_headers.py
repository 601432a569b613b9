"""Security headers added to every response.

Views may set their own value for any of these (a page that must embed a
script from elsewhere, say); only missing headers are filled in.
"""

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

DEFAULT_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Fill in the default headers, HSTS over HTTPS, and no-store for signed-in pages."""
    present = {name.lower() for name, _value in response.headers.items()}
    for name, value in DEFAULT_HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    hsts_seconds = current_app.config["HSTS_SECONDS"]
    if hsts_seconds and request.is_secure:
        subdomains = "; includeSubDomains" if current_app.config["HSTS_INCLUDE_SUBDOMAINS"] else ""
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={hsts_seconds}{subdomains}"
        )
    # A page made for one user must not be kept by shared caches or the back button.
    if g.get("user") is not None and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Run ``add_security_headers`` after every request, errors included."""
    app.after_request(add_security_headers)

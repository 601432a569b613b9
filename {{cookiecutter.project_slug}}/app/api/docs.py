"""``/api/openapi.json`` and ``/api/docs``: the API's description, public and always current."""

from flask import Response, current_app, g, jsonify, render_template

from app.api import docs_bp
from app.api.openapi import build_openapi_document
from app.auth.guard import public


@docs_bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, built once per app from the views and their schemas."""
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = build_openapi_document()
    return jsonify(document)


@docs_bp.get("/docs")
@public
def docs_page() -> str:
    """Swagger UI, served from this app (no CDN, so the CSP stays 'self').

    Signed-in visitors can try the API with their session: the page's
    script sends their CSRF token with unsafe methods.
    """
    return render_template("api/docs.html", signed_in=g.user is not None)

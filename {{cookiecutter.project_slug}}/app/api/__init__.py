"""The JSON API: ``bp`` is version 1 at ``/api/v1``; ``docs_bp`` its documentation at ``/api``.

Each resource lives in one module (``notes.py`` is the example to copy):
its pydantic schemas, its ``MethodView`` classes, and the ``add_url_rule``
lines that mount them. Import a new module here to publish it; the OpenAPI
document picks it up by itself.
"""

from flask import Blueprint, current_app, request

from app.extensions import csrf

bp = Blueprint("api", __name__)
docs_bp = Blueprint("api_docs", __name__)

# The API checks CSRF itself, and only for callers that authenticate with the
# session cookie (see ``auth.py``); bearer-token clients have no token to send.
csrf.exempt(bp)


@bp.before_request
def protect_views_without_authenticate():
    """Fail closed: a view that forgot ``authenticate()`` keeps the site's CSRF check."""
    if not getattr(current_app.view_functions[request.endpoint], "authenticates_itself", False):
        csrf.protect()


from app.api import docs, notes, tokens, users  # noqa: E402,F401  (each mounts its views)

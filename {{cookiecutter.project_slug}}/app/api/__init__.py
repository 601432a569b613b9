"""The JSON API: ``bp`` is version 1 at ``/api/v1``; ``docs_bp`` its documentation at ``/api``.

Each resource lives in one module: its pydantic schemas, its ``MethodView``
classes, and the ``add_url_rule`` lines that mount them on ``bp``. Import a
new module at the end of this file to publish it (a resource that belongs to
another package is imported by that package{% if cookiecutter.use_example_notes %}, as ``app/notes/api.py`` is{% endif %});
the OpenAPI document picks it up by itself.
"""

from flask import Blueprint, current_app, request
from flask.blueprints import BlueprintSetupState

from app.extensions import csrf
from app.web.negotiation import answer_json_under

bp = Blueprint("api", __name__)
# The docs page's template, script and vendored Swagger UI live here too (/api/static).
docs_bp = Blueprint(
    "api_docs",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@docs_bp.record_once
def answer_json_under_api(state: BlueprintSetupState) -> None:
    """Everything under /api is JSON, errors for unknown paths included (RFC 9457)."""
    answer_json_under(state.app, "/api")


# The API checks CSRF itself, and only for callers that authenticate with the
# session cookie (see ``auth.py``); bearer-token clients have no token to send.
csrf.exempt(bp)


@bp.before_request
def protect_views_without_authenticate() -> None:
    """Fail closed: a view that forgot ``authenticate()`` keeps the site's CSRF check."""
    endpoint = request.endpoint
    assert endpoint is not None  # a blueprint's hooks run only for requests routed to it
    if not getattr(current_app.view_functions[endpoint], "authenticates_itself", False):
        csrf.protect()


from app.api import {% if cookiecutter.use_admin %}admin, {% endif %}docs, tokens, users  # noqa: E402,F401  (each mounts its views)

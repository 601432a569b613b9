"""The notes example: a resource each user owns, on the dashboard{% if cookiecutter.use_api %} and in the JSON API{% endif %}.

Everything about notes lives in this package: the model (``models.py``),
the rules and queries (``service.py``), the dashboard's form and panel
(``forms.py``, ``views.py``){% if cookiecutter.use_api %}, the API resource (``api.py``){% endif %}{% if cookiecutter.use_realtime %}, the live updates (``live.py``){% endif %}. Nothing
outside it imports it but the factory, so it can be deleted in one go
(with its migration and ``tests/notes/``), or copied as the start of a
resource of your own.
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

{% if cookiecutter.use_admin -%}
from app.admin.facts import add_user_fact
{% endif -%}
from app.main.dashboard import add_panel

# Its templates and stylesheet live here too (served under /notes/static).
bp = Blueprint(
    "notes",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/notes/static",
)


@bp.record_once
def show_on_dashboard(state: BlueprintSetupState) -> None:
    """Registering the blueprint puts the notes panel on the dashboard{% if cookiecutter.use_admin %}, and the
    number of a user's notes on their admin page{% endif %}."""
    add_panel(state.app, "notes/panel.html", views.dashboard_panel)
{%- if cookiecutter.use_admin %}
    add_user_fact(state.app, "Notes", service.count_notes)
{%- endif %}
{%- if cookiecutter.use_realtime %}
    live.show_on_dashboard(state.app)
{%- endif %}


# Each attaches its views: to bp{% if cookiecutter.use_api %}, and /notes to the JSON API's blueprint{% endif %}{% if cookiecutter.use_realtime %} (live: changes pushed){% endif %}.
from app.notes import {% if cookiecutter.use_api %}api, {% endif %}{% if cookiecutter.use_uploads %}attachment_views, {% endif %}{% if cookiecutter.use_api and cookiecutter.use_uploads %}attachments_api, {% endif %}{% if cookiecutter.use_realtime %}live, {% endif %}{% if cookiecutter.use_admin %}service, {% endif %}views  # noqa: E402{% if cookiecutter.use_api or cookiecutter.use_uploads %},F401{% endif %}

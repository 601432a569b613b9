"""The ``account`` blueprint: the signed-in user's own account (mounted at ``/account``).

Change the password, change the email address, delete the account. Each
asks for the current password, so a browser left logged in is not enough
to take an account over or destroy it.{% if cookiecutter.use_uploads %} The account's picture (``avatar.py``)
asks for none: it risks nothing but itself.{% endif %}
"""

from flask import Blueprint
{%- if cookiecutter.use_uploads %}
from flask.blueprints import BlueprintSetupState

from app.main.dashboard import add_panel
from app.web.template_helpers import add_nav_item
{%- endif %}

bp = Blueprint("account", __name__)
{%- if cookiecutter.use_uploads %}


@bp.record_once
def show_avatar(state: BlueprintSetupState) -> None:
    """Registering the blueprint shows the user's picture on the dashboard and in the
    navigation."""
    add_panel(state.app, "account/avatar_panel.html", avatar.dashboard_panel)
    add_nav_item(state.app, "account/nav_avatar.html", avatar.has_avatar)
{%- endif %}


# The views attach themselves to bp.
from app.account import {% if cookiecutter.use_uploads %}avatar, {% endif %}views  # noqa: E402,F401

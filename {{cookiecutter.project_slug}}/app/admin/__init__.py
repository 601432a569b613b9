"""The administration area at ``/admin/``: users, their roles and state, the audit log.

Hand-written views on the rules of ``app/auth/roles.py`` (why not
Flask-Admin: ``docs/administration.md``). Every page here is for
administrators: the login guard sends anonymous visitors to log in first,
then ``require_administrator`` answers 403 to everyone else. The commands
``admin grant`` and ``admin revoke`` live here too (``commands.py``).
"""

from flask import Blueprint, g
from flask.blueprints import BlueprintSetupState

from app.auth.roles import ADMIN, has_role, require_role
from app.web.template_helpers import add_nav_item

# Its templates live here too; its stylesheet is the site's static/css/admin.css.
bp = Blueprint("admin", __name__, template_folder="templates", cli_group="admin")


@bp.before_request
@require_role(ADMIN)
def require_administrator() -> None:
    """Every view of the blueprint needs the administrator role (a 403 page otherwise)."""


def is_administrator() -> bool:
    """True when the logged-in user is an enabled administrator (the navigation's link)."""
    return has_role(g.get("user"), ADMIN)


@bp.record_once
def show_in_navigation(state: BlueprintSetupState) -> None:
    """Registering the blueprint adds "Admin" to the navigation of administrators."""
    add_nav_item(state.app, "admin/nav_link.html", is_administrator)


# Each attaches its views or commands to bp.
from app.admin import commands, views  # noqa: E402,F401

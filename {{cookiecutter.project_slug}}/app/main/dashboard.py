"""The dashboard's panels: what other parts of the app show on it, and the page itself.

The dashboard itself shows the account. A part{% if cookiecutter.use_example_notes %} (the notes example, say){% endif %}
adds a panel when its blueprint is registered, with ``add_panel``; the
dashboard then includes the panel's template with the variables its
``context`` function makes. So ``main`` never imports those parts, and
removing one leaves the dashboard working. A part's view may show the
page again with ``render_dashboard`` (its form, with the form's errors).
This module is the one seam between ``main`` and the other parts
(``pyproject.toml``'s import contracts).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template
from flask.sansio.app import App

PANELS_KEY = "dashboard_panels"


@dataclass(frozen=True)
class Panel:
    """A template to include on the dashboard and the function making its variables."""

    template: str
    context: Callable[[], dict[str, Any]]


def add_panel(app: App, template: str, context: Callable[[], dict[str, Any]]) -> None:
    """Show ``template`` on ``app``'s dashboard, after the panels added before it."""
    app.extensions.setdefault(PANELS_KEY, []).append(Panel(template, context))


def panels() -> list[tuple[str, dict[str, Any]]]:
    """Each panel's template and its variables, made for this request."""
    return [
        (panel.template, panel.context()) for panel in current_app.extensions.get(PANELS_KEY, [])
    ]


def render_dashboard() -> str:
    """The dashboard page, with every panel."""
    return render_template("main/dashboard.html", user=g.user, panels=panels())

"""What other parts tell the admin user page about a user{% if cookiecutter.use_example_notes %} (the notes example: a count){% endif %}.

A part adds a fact when its blueprint is registered, with ``add_user_fact``,
so the admin part never imports it{% if cookiecutter.use_example_notes %} (the seam listed in pyproject.toml's
import contracts){% endif %}, as the dashboard's panels do.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask.sansio.app import App

from app.auth.models import User

FACTS_KEY = "admin_user_facts"


@dataclass(frozen=True)
class UserFact:
    """A label and the function that tells its value for a user."""

    label: str
    value: Callable[[User], object]


def add_user_fact(app: App, label: str, value: Callable[[User], object]) -> None:
    """Show ``label: value(user)`` on ``app``'s admin user page."""
    app.extensions.setdefault(FACTS_KEY, []).append(UserFact(label, value))


def facts_about(user: User) -> list[tuple[str, object]]:
    """Each registered fact's label and its value for ``user``."""
    return [(fact.label, fact.value(user)) for fact in current_app.extensions.get(FACTS_KEY, [])]

"""The ``notes`` blueprint: the example resource's HTML side (add and delete from the dashboard).

``service.py`` holds the rules and queries that both these pages and the
JSON API (``app/api/notes.py``) use, so the two can never disagree.
"""

from flask import Blueprint

bp = Blueprint("notes", __name__)

from app.notes import views  # noqa: E402,F401  (views attach themselves to bp)

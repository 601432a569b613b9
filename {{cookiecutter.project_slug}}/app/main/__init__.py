"""The ``main`` blueprint: the home page and the signed-in dashboard."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.main import views  # noqa: E402,F401  (views attach themselves to bp)

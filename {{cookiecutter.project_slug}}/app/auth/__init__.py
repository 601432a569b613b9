"""The ``auth`` blueprint: register, log in, log out (mounted at ``/auth``)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import views  # noqa: E402,F401  (views attach themselves to bp)

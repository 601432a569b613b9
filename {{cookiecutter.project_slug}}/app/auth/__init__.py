"""The ``auth`` blueprint: register, log in, log out, reset a password, confirm an
address (mounted at ``/auth``)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

# The views attach themselves to bp.
from app.auth import confirmation, password_reset, views  # noqa: E402,F401

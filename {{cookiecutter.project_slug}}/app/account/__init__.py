"""The ``account`` blueprint: the signed-in user's own account (mounted at ``/account``).

Change the password, change the email address, delete the account. Each
asks for the current password, so a browser left logged in is not enough
to take an account over or destroy it.
"""

from flask import Blueprint

bp = Blueprint("account", __name__)

from app.account import views  # noqa: E402,F401  (views attach themselves to bp)

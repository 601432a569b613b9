"""Flask-Login's ``LoginManager``, refusing malformed remember-me cookies.

Flask-Login 0.6 compares the cookie's signature with ``hmac.compare_digest``,
which raises ``TypeError`` for non-ASCII text: a hand-made cookie would turn
every page into a 500. Such a cookie cannot be one we signed, so it is
treated as absent.

Relies on (checked by ``tests/test_compat.py``): the method
``LoginManager._load_user_from_remember_cookie(cookie)``, which
``LoginManager._load_user`` calls with the cookie's text.
"""

from typing import Any

from flask_login import LoginManager as FlaskLoginManager

# The private names this module overrides, for tests/test_compat.py.
RELIES_ON = ((FlaskLoginManager, "_load_user_from_remember_cookie"),)


class LoginManager(FlaskLoginManager):
    """The stock manager, but a remember cookie must be ASCII to be considered."""

    def _load_user_from_remember_cookie(self, cookie: str) -> Any:
        if not cookie.isascii():
            return None
        return super()._load_user_from_remember_cookie(cookie)

"""Flask-Login's ``LoginManager``, refusing malformed remember-me cookies.

Flask-Login 0.6 compares the cookie's signature with ``hmac.compare_digest``,
which raises ``TypeError`` for non-ASCII text: a hand-made cookie would turn
every page into a 500. Such a cookie cannot be one we signed, so it is
treated as absent.
"""

from flask_login import LoginManager as FlaskLoginManager


class LoginManager(FlaskLoginManager):
    """The stock manager, but a remember cookie must be ASCII to be considered."""

    def _load_user_from_remember_cookie(self, cookie):
        if not cookie.isascii():
            return None
        return super()._load_user_from_remember_cookie(cookie)

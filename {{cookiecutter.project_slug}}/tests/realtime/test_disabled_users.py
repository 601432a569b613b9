"""Disabling a user closes every socket of theirs at once: the session's{% if cookiecutter.use_api %} and the token's{% endif %}."""

from app.auth import roles
from app.auth.audit import Actor
from app.auth.models import User
from app.extensions import db
{%- if cookiecutter.use_api %}
from tests.api.conftest import issue_token
{%- endif %}
from tests.realtime.conftest import wait_until_closed

SESSION_ENDED = 4001


def disable(app, user_id):
    """Disable the user as an administrator would (the admin page's own path)."""
    with app.test_request_context(method="POST"):
        roles.disable(db.session.get(User, user_id), Actor("root@example.com"))


def test_disabling_a_user_closes_their_sockets_within_5_seconds(app, server, logged_in):
    browser_socket = server.browser_socket()
{%- if cookiecutter.use_api %}
    token_socket = server.connect({"Authorization": f"Bearer {issue_token(app)}"})
{%- endif %}

    disable(app, logged_in.id)

    for ws in [browser_socket{% if cookiecutter.use_api %}, token_socket{% endif %}]:
        seconds, code = wait_until_closed(ws)
        assert code == SESSION_ENDED
        assert seconds < 5

"""A socket lives no longer than the session or token that opened it."""

from app.auth.models import User
from app.extensions import db
from config import ProductionConfig
from tests.conftest import AuthActions
from tests.realtime.conftest import stays_open, wait_until_closed

SESSION_ENDED = 4001
PRODUCTION_CHECK_SECONDS = ProductionConfig.defaults()["REALTIME_SESSION_CHECK_SECONDS"]


def test_logging_out_closes_the_sessions_sockets_within_5_seconds(app, server, logged_in, auth):
    """At the interval production checks at (the other tests check more often)."""
    app.config["REALTIME_SESSION_CHECK_SECONDS"] = PRODUCTION_CHECK_SECONDS
    ws = server.browser_socket()

    auth.logout()

    seconds, code = wait_until_closed(ws)
    assert code == SESSION_ENDED
    assert seconds < 5


def test_logging_out_on_another_device_closes_this_ones_sockets_too(app, server, logged_in):
    """Logout revokes every login of the user, so the other device's session has ended too."""
    ws = server.browser_socket()
    other_device = app.test_client()
    AuthActions(other_device).login(logged_in.email, logged_in.password)

    AuthActions(other_device).logout()

    assert wait_until_closed(ws)[1] == SESSION_ENDED


def test_a_session_deleted_from_redis_closes_its_sockets(app, server, logged_in, redis_client):
    ws = server.browser_socket()

    redis_client.delete(f"session:{server.client.get_cookie('session').value}")

    assert wait_until_closed(ws)[1] == SESSION_ENDED


def test_deleting_the_account_closes_its_sockets(app, server, logged_in):
    ws = server.browser_socket()

    with app.app_context():
        db.session.delete(db.session.get(User, logged_in.id))
        db.session.commit()

    assert wait_until_closed(ws)[1] == SESSION_ENDED


def test_sockets_of_a_live_session_stay_open(server, logged_in):
    ws = server.browser_socket()

    assert stays_open(ws)
    ws.close()

"""A socket lives no longer than the session or token that opened it."""

from datetime import timedelta

from app.auth.models import User
from app.extensions import db
from config import ProductionConfig
from config_checks import defaults_of
from tests.conftest import AuthActions
from tests.realtime.conftest import stays_open, wait_until_closed

SESSION_ENDED = 4001
PRODUCTION_CHECK_SECONDS = defaults_of(ProductionConfig)["REALTIME_SESSION_CHECK_SECONDS"]


def test_logging_out_closes_the_sessions_sockets_within_5_seconds(app, server, logged_in, auth):
    """At the interval production checks at (the other tests check more often)."""
    app.config["REALTIME_SESSION_CHECK_SECONDS"] = PRODUCTION_CHECK_SECONDS
    ws = server.browser_socket()

    auth.logout()

    seconds, code = wait_until_closed(ws)
    assert code == SESSION_ENDED
    assert seconds < 5


def test_logging_out_on_another_device_leaves_this_ones_sockets_open(app, server, logged_in):
    """Logout ends that device's login only."""
    ws = server.browser_socket()
    other_device = app.test_client()
    AuthActions(other_device).login(logged_in.email, logged_in.password)

    AuthActions(other_device).logout()

    assert stays_open(ws)
    ws.close()


def test_a_login_past_its_lifetime_closes_its_sockets(app, server, logged_in):
    ws = server.browser_socket()

    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(0)

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

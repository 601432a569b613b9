"""The account pages end sessions, and with them their open sockets; an email change does not.

Every flow goes through the real forms (CSRF on) and the real outbox, while
the app is served on a free port with sockets open as the dashboard opens
them. The sockets are checked every ``CHECK_SECONDS``
(``tests/realtime/conftest.py``): each must close with 4001 within one check,
plus the time the check itself takes.
"""

import pytest

from tests.conftest import EMAIL, PASSWORD, AuthActions, links_in, mails_to, path_of
from tests.realtime.conftest import (
    CHECK_SECONDS,
    close_all,
    stays_open,
    wait_until_closed,
)

SESSION_ENDED = 4001
# What one check may take on top of its interval: the queries, the closing handshake.
CHECK_SLACK_SECONDS = 1.0
NEW_PASSWORD = "a brand new horse battery"
NEW_EMAIL = "ada.lovelace@example.org"


@pytest.fixture
def other_browser(app, user):
    """A second browser logged in as ``user`` through the form."""
    browser = app.test_client()
    AuthActions(browser).login()
    return browser


def closes_for_the_ended_session(ws):
    """True when the server closes ``ws`` with 4001 within one check."""
    seconds, code = wait_until_closed(ws)
    assert code == SESSION_ENDED
    return seconds < CHECK_SECONDS + CHECK_SLACK_SECONDS


def change_password(auth, current=PASSWORD, new=NEW_PASSWORD):
    data = {"current_password": current, "password": new, "confirm_password": new}
    return auth.submit("/account/password", data)


# Changing the password


def test_a_password_change_closes_the_other_browsers_socket(server, logged_in, auth, other_browser):
    there = server.browser_socket(other_browser)

    assert change_password(auth).status_code == 302

    assert closes_for_the_ended_session(there)


def test_a_password_change_closes_this_browsers_old_socket_as_its_session_id_changes(
    server, logged_in, auth
):
    old_cookie = server.cookie()
    here = server.browser_socket()

    change_password(auth)

    assert server.cookie() != old_cookie
    assert closes_for_the_ended_session(here)


def test_a_socket_opened_with_the_new_cookie_after_a_password_change_stays_open(
    server, logged_in, auth
):
    here = server.browser_socket()
    change_password(auth)
    assert closes_for_the_ended_session(here)

    fresh = server.browser_socket()

    assert stays_open(fresh)
    close_all(fresh)


def test_after_a_password_change_the_script_reconnects_here_and_signs_out_elsewhere(
    client, logged_in, auth, other_browser
):
    """After a 4001 the dashboard's script asks ``GET /ws``: 426 reconnects, 401 reloads."""
    change_password(auth)

    assert client.get("/ws").status_code == 426
    assert other_browser.get("/ws").status_code == 401


def test_a_wrong_current_password_closes_no_socket(server, logged_in, auth, other_browser):
    here, there = server.browser_socket(), server.browser_socket(other_browser)

    assert change_password(auth, current="not my password").status_code == 200

    assert stays_open(here, there)
    close_all(here, there)


# Resetting a forgotten password


def test_a_password_reset_closes_every_socket_of_the_account(
    app, server, logged_in, other_browser, outbox
):
    here, there = server.browser_socket(), server.browser_socket(other_browser)
    forgetful = AuthActions(app.test_client())
    forgetful.submit("/auth/reset", {"email": EMAIL})
    (link,) = links_in(mails_to(outbox, EMAIL)[0])

    response = forgetful.submit(
        path_of(link, base=server.origin),
        {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        form_path="/auth/reset",
    )

    assert response.status_code == 302
    assert closes_for_the_ended_session(here)
    assert closes_for_the_ended_session(there)


def test_asking_for_a_reset_link_closes_no_socket(app, server, logged_in, outbox):
    ws = server.browser_socket()

    AuthActions(app.test_client()).submit("/auth/reset", {"email": EMAIL})

    assert mails_to(outbox, EMAIL)
    assert stays_open(ws)
    close_all(ws)


# Deleting the account


def test_deleting_the_account_with_the_form_closes_every_socket_of_it(
    server, logged_in, auth, other_browser
):
    here, there = server.browser_socket(), server.browser_socket(other_browser)

    response = auth.submit("/account/delete", {"current_password": PASSWORD})

    assert response.status_code == 302
    assert closes_for_the_ended_session(here)
    assert closes_for_the_ended_session(there)


def test_deleting_one_account_leaves_another_users_sockets_open(
    app, server, logged_in, auth, other_user
):
    theirs = app.test_client()
    AuthActions(theirs).login(other_user.email, other_user.password)
    mine, bystander = server.browser_socket(), server.browser_socket(theirs)

    auth.submit("/account/delete", {"current_password": PASSWORD})

    assert closes_for_the_ended_session(mine)
    assert stays_open(bystander)
    close_all(bystander)


# Changing the email address: the same person, the same sessions


def test_an_email_change_leaves_the_sockets_open(
    app, server, client, logged_in, auth, other_browser, outbox
):
    """The address moves, the login does not: no session ends, so no socket closes."""
    here, there = server.browser_socket(), server.browser_socket(other_browser)

    auth.submit("/account/email", {"email": NEW_EMAIL, "current_password": PASSWORD})
    (link,) = links_in(mails_to(outbox, NEW_EMAIL)[0])
    assert client.get(path_of(link, base=server.origin)).status_code == 302

    assert NEW_EMAIL in other_browser.get("/dashboard").get_data(as_text=True)
    assert stays_open(here, there)
    close_all(here, there)

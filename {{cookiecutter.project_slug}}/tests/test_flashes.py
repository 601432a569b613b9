"""Every action of the account pages says what it did: a flash on the page it leads to.

Each test does one thing as a browser would (the form, its CSRF token, the
redirect followed) and reads the flashes of the page it ends on. The other
parts check their own actions' flashes beside their tests.
"""

import re

import pytest

from app.auth.password_reset import RESET_LINK_SENT
from tests.conftest import EMAIL, PASSWORD, links_in, mails_to, path_of

FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>\s*(.*?)\s*</div>', re.S)
NEW_EMAIL = "grace@example.org"
NEW_PASSWORD = "a brand new horse battery"


def flashes(response):
    """The (category, message) of each flash on the page a response ended on."""
    return FLASH.findall(response.get_data(as_text=True))


def send(auth, client, path, data, form_path=None):
    """Submit the form at ``path`` with its CSRF token and follow the redirect."""
    token = auth.csrf_token(form_path or path)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)


def test_registering(client, auth):
    data = {"email": NEW_EMAIL, "password": PASSWORD, "confirm_password": PASSWORD}
    response = send(auth, client, "/auth/register", data)
    [(category, message)] = flashes(response)
    assert category == "success"
    assert message.startswith("Your account has been created.")


def test_logging_in(client, auth, user):
    data = {"email": EMAIL, "password": PASSWORD}
    response = send(auth, client, "/auth/login", data)
    assert flashes(response) == [("success", "You are logged in.")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "You have been logged out."),
        ({"everywhere": "1"}, "You have been logged out on every device."),
    ],
    ids=["here", "everywhere"],
)
def test_logging_out(client, auth, logged_in, data, message):
    response = send(auth, client, "/auth/logout", data, form_path="/dashboard")
    assert flashes(response) == [("info", message)]


def test_confirming_the_address(client, auth, outbox):
    data = {"email": NEW_EMAIL, "password": PASSWORD, "confirm_password": PASSWORD}
    send(auth, client, "/auth/register", data)
    [link] = links_in(mails_to(outbox, NEW_EMAIL)[0])
    response = client.get(path_of(link), follow_redirects=True)
    assert ("success", "Your email address is confirmed. Thank you!") in flashes(response)


def test_asking_for_the_confirmation_link_again(client, auth, logged_in):
    response = send(auth, client, "/auth/confirm", {}, form_path="/dashboard")
    assert flashes(response) == [("info", f"We have mailed a new confirmation link to {EMAIL}.")]


def test_asking_for_a_reset_link(client, auth, user):
    response = send(auth, client, "/auth/reset", {"email": EMAIL})
    assert flashes(response) == [("info", RESET_LINK_SENT)]


def test_choosing_a_new_password_from_the_link(client, auth, user, outbox):
    send(auth, client, "/auth/reset", {"email": EMAIL})
    path = path_of(links_in(mails_to(outbox, EMAIL)[0])[0])
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = send(auth, client, path, data)
    message = "Your password has been changed. Log in with the new one."
    assert flashes(response) == [("success", message)]


def test_changing_the_password(client, auth, logged_in):
    data = {
        "current_password": PASSWORD,
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = send(auth, client, "/account/password", data)
    [(category, message)] = flashes(response)
    assert (category, message.split(".")[0]) == ("success", "Your password has been changed")


def test_changing_the_address(client, auth, logged_in, outbox):
    data = {"email": NEW_EMAIL, "current_password": PASSWORD}
    response = send(auth, client, "/account/email", data)
    [(category, message)] = flashes(response)
    assert (category, message.startswith(f"We have mailed a link to {NEW_EMAIL}.")) == (
        "info",
        True,
    )

    path = path_of(links_in(mails_to(outbox, NEW_EMAIL)[0])[0])
    response = client.get(path, follow_redirects=True)
    assert flashes(response) == [("success", f"Your email address is now {NEW_EMAIL}.")]


def test_deleting_the_account(client, auth, logged_in):
    response = send(auth, client, "/account/delete", {"current_password": PASSWORD})
    assert flashes(response) == [("info", "Your account and everything in it have been deleted.")]

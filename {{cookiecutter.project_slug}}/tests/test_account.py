"""The account pages: change the password or the email address, delete the account."""

import pytest

from app.auth import tokens
from app.auth.emails import send_email_change
from app.auth.login_session import end_logins_of
from app.auth.models import User
from app.extensions import db
from tests.conftest import (
    CSRF_TOKEN,
    EMAIL,
    OTHER_EMAIL,
    PASSWORD,
    AuthActions,
    expired_token,
    links_in,
    mails_to,
    path_of,
    text_of,
)

NEW_PASSWORD = "a brand new horse battery"
NEW_EMAIL = "ada.lovelace@example.org"


@pytest.fixture
def logged_in(auth, user):
    """``user``, logged in with the client."""
    auth.login()
    return user


@pytest.fixture
def other_browser(app, user):
    """A second browser logged in as ``user``, with a remember-me cookie."""
    client = app.test_client()
    AuthActions(client).login(remember_me=True)
    assert client.get("/dashboard").status_code == 200
    return client


def change_password(auth, current=PASSWORD, new=NEW_PASSWORD):
    data = {"current_password": current, "password": new, "confirm_password": new}
    return auth.submit("/account/password", data)


def change_email(auth, email=NEW_EMAIL, current=PASSWORD):
    return auth.submit("/account/email", {"email": email, "current_password": current})


def delete_account(auth, current=PASSWORD):
    return auth.submit("/account/delete", {"current_password": current})


def can_log_in(app, password, email=EMAIL):
    return AuthActions(app.test_client()).login(email, password).status_code == 302


def is_logged_out(client):
    """A browser whose next page view is sent to the login form."""
    response = client.get("/dashboard")
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", ["/account/password", "/account/email", "/account/delete"])
def test_account_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", ["/account/password", "/account/email", "/account/delete"])
def test_account_pages_are_forms_with_the_current_password(client, logged_in, path):
    page = client.get(path).get_data(as_text=True)
    assert 'name="current_password"' in page
    assert 'name="csrf_token"' in page


def test_the_dashboard_links_to_the_account_pages(client, logged_in):
    page = client.get("/dashboard").get_data(as_text=True)
    for path in ("/account/password", "/account/email", "/account/delete"):
        assert f'href="{path}"' in page


@pytest.mark.parametrize("path", ["/account/password", "/account/email", "/account/delete"])
def test_account_forms_refuse_a_post_without_a_csrf_token(app, client, logged_in, path):
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "email": NEW_EMAIL}
    data["confirm_password"] = NEW_PASSWORD
    assert client.post(path, data=data).status_code == 400
    assert can_log_in(app, PASSWORD)


# Changing the password


def test_a_wrong_current_password_changes_nothing(app, auth, logged_in, outbox):
    response = change_password(auth, current="not my password")

    assert response.status_code == 200
    assert "That is not your current password." in response.get_data(as_text=True)
    assert can_log_in(app, PASSWORD)
    assert outbox == []


def test_wrong_current_passwords_count_as_failed_logins(app, auth, logged_in):
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "2 per minute"
    statuses = [change_password(auth, current="wrong").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_new_password_works_and_the_old_one_does_not(app, auth, logged_in):
    response = change_password(auth)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert can_log_in(app, NEW_PASSWORD)
    assert not can_log_in(app, PASSWORD)


def test_this_browser_stays_logged_in_on_a_new_session_id(client, auth, logged_in):
    before = client.get_cookie("session").value

    change_password(auth)

    assert client.get_cookie("session").value != before
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert 'class="flash flash-success"' in page.get_data(as_text=True)


def test_every_other_session_and_remember_cookie_ends_at_once(app, auth, logged_in, other_browser):
    change_password(auth)

    assert is_logged_out(other_browser)
    other_browser.delete_cookie("session")  # what the remember-me cookie alone does
    assert is_logged_out(other_browser)


def test_a_notice_is_mailed_after_the_change(auth, logged_in, outbox):
    change_password(auth)
    (message,) = mails_to(outbox, EMAIL)
    assert "password" in message["Subject"].lower()
    assert "/auth/reset" in text_of(message)


def test_this_browser_keeps_a_remember_me_cookie_if_it_had_one(app, client, auth, user):
    auth.login(remember_me=True)
    old_cookie = client.get_cookie("remember_token").value

    change_password(auth)

    assert client.get_cookie("remember_token").value != old_cookie
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 200


# Changing the email address


def test_a_link_goes_to_the_new_address_and_a_notice_to_the_old_one(auth, logged_in, outbox):
    response = change_email(auth)

    assert response.status_code == 302
    (link_mail,) = mails_to(outbox, NEW_EMAIL)
    (notice,) = mails_to(outbox, EMAIL)
    assert path_of(links_in(link_mail)[0]).startswith("/account/email/")
    assert NEW_EMAIL in text_of(notice)
    assert all("/account/email/" not in link for link in links_in(notice))


def test_the_address_changes_only_when_the_link_is_followed(app, client, auth, logged_in, outbox):
    change_email(auth)
    with app.app_context():
        assert User.find_by_email(EMAIL) is not None

    response = client.get(path_of(links_in(mails_to(outbox, NEW_EMAIL)[0])[0]))

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    with app.app_context():
        moved = User.find_by_email(NEW_EMAIL)
        assert moved.id == logged_in.id
        assert moved.email_confirmed  # the link reached the new address
    assert NEW_EMAIL in client.get("/dashboard").get_data(as_text=True)
    assert can_log_in(app, PASSWORD, NEW_EMAIL)
    assert not can_log_in(app, PASSWORD, EMAIL)


def test_the_link_works_in_any_browser_logged_in_or_not(app, client, auth, logged_in, outbox):
    change_email(auth)
    path = path_of(links_in(mails_to(outbox, NEW_EMAIL)[0])[0])

    response = app.test_client().get(path)

    assert response.headers["Location"] == "/auth/login"
    # The browser that is logged in sees the new address at once.
    assert NEW_EMAIL in client.get("/dashboard").get_data(as_text=True)


def test_the_link_works_once(app, client, auth, logged_in, outbox):
    change_email(auth)
    path = path_of(links_in(mails_to(outbox, NEW_EMAIL)[0])[0])
    client.get(path)

    assert client.get(path).status_code == 400


def test_a_link_is_refused_once_the_address_is_taken(app, client, auth, logged_in, outbox):
    change_email(auth)
    path = path_of(links_in(mails_to(outbox, NEW_EMAIL)[0])[0])
    AuthActions(app.test_client()).register(NEW_EMAIL, "someone else's password")

    response = client.get(path)

    assert response.status_code == 409
    with app.app_context():
        assert User.find_by_email(EMAIL).id == logged_in.id


def test_an_expired_email_change_link_is_refused(app, client, logged_in):
    token = expired_token(
        app,
        "EMAIL_CHANGE_MAX_AGE",
        lambda: tokens.make_email_change_token(db.session.get(User, logged_in.id), NEW_EMAIL),
    )
    assert client.get(f"/account/email/{token}").status_code == 400


@pytest.mark.parametrize(
    "make_token",
    [tokens.make_confirmation_token, tokens.make_password_reset_token],
    ids=["confirmation", "reset"],
)
def test_a_token_for_another_purpose_changes_no_address(app, client, logged_in, make_token):
    with app.app_context():
        token = make_token(db.session.get(User, logged_in.id))
    assert client.get(f"/account/email/{token}").status_code == 400


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (EMAIL, "This is your address already."),
        ("not an address", "Invalid email address"),
    ],
    ids=["same", "invalid"],
)
def test_an_unusable_new_address_is_refused(auth, logged_in, other_user, outbox, email, message):
    response = change_email(auth, email)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert outbox == []


def answer_to_email_change(auth, client, email):
    """What a browser sees for asking to move to ``email``: the POST's answer and the
    page it leads to, byte for byte apart from CSRF tokens and the address itself."""
    response = change_email(auth, email)
    page = client.get(response.headers["Location"])
    texts = [response.get_data(as_text=True), page.get_data(as_text=True)]
    masked = [CSRF_TOKEN.sub("csrf", text).replace(email, "ADDRESS") for text in texts]
    return response.status_code, response.headers["Location"], page.status_code, masked


def test_a_taken_address_gets_the_answer_a_free_one_gets(
    app, client, auth, logged_in, other_user, outbox
):
    taken = answer_to_email_change(auth, client, OTHER_EMAIL)
    free = answer_to_email_change(auth, client, NEW_EMAIL)

    assert taken == free
    assert taken[:3] == (302, "/dashboard", 200)
    (told,) = mails_to(outbox, OTHER_EMAIL)  # the taken address's owner, with no link to use
    assert "already uses it" in text_of(told)
    assert all("/account/email/" not in link for link in links_in(told))
    with app.app_context():
        assert User.find_by_email(EMAIL).id == logged_in.id
        assert User.find_by_email(OTHER_EMAIL).id == other_user.id


def test_a_wrong_password_mails_nothing(auth, logged_in, outbox):
    response = change_email(auth, current="not my password")
    assert "That is not your current password." in response.get_data(as_text=True)
    assert outbox == []


def test_email_changes_are_limited_per_new_address(app, auth, logged_in):
    app.config["CONFIRMATION_TARGET_RATE_LIMIT"] = "2 per minute"
    statuses = [change_email(auth).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


# Deleting the account


def test_the_delete_page_is_the_step_that_asks_first(client, logged_in):
    page = client.get("/account/delete").get_data(as_text=True)
    assert 'name="current_password"' in page
    assert 'class="button danger"' in page
    assert '<a class="secondary" href="/dashboard">Keep my account</a>' in page


def test_a_wrong_password_deletes_nothing(app, auth, logged_in):
    response = delete_account(auth, current="not my password")
    assert response.status_code == 200
    assert "That is not your current password." in response.get_data(as_text=True)
    assert can_log_in(app, PASSWORD)


def test_deleting_removes_the_account_and_logs_out_everywhere(
    app, client, auth, logged_in, other_browser, outbox
):
    response = delete_account(auth)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert 'class="flash flash-info"' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, logged_in.id) is None
    assert is_logged_out(client)
    assert is_logged_out(other_browser)
    other_browser.delete_cookie("session")
    assert is_logged_out(other_browser)
    assert "deleted" in mails_to(outbox, EMAIL)[0]["Subject"]


def test_a_deleted_address_can_register_again(app, auth, logged_in):
    delete_account(auth)
    assert auth.register(password=NEW_PASSWORD).status_code == 302
    assert can_log_in(app, NEW_PASSWORD)
    with app.app_context():
        assert not User.find_by_email(EMAIL).email_confirmed  # a new account


def test_a_login_revoked_elsewhere_a_moment_ago_changes_nothing(app, client, auth, logged_in):
    """The form was shown while logged in; the request that sends it is anonymous."""
    token = auth.csrf_token("/account/password")
    with app.app_context():
        end_logins_of(db.session.get(User, logged_in.id))
        db.session.commit()
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD}
    response = client.post(
        "/account/password", data={"csrf_token": token, **data, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert can_log_in(app, PASSWORD)


def test_the_email_change_job_mails_nothing_for_an_account_deleted_meanwhile(app, outbox):
    with app.app_context():
        send_email_change(999, NEW_EMAIL)
    assert outbox == []

"""Email confirmation: registering mails a link, following it confirms the address."""

import pytest

from app.auth import tokens
from app.auth.emails import send_confirmation
from app.auth.login_session import end_logins_of
from app.auth.models import User
from app.extensions import db
from tests.conftest import (
    EMAIL,
    PASSWORD,
    AuthActions,
    expired_token,
    html_of,
    links_in,
    mails_to,
    path_of,
    text_of,
)


def confirmation_path(outbox, email=EMAIL):
    (message,) = mails_to(outbox, email)
    (link,) = links_in(message)
    return path_of(link)


def is_confirmed(app, email=EMAIL):
    with app.app_context():
        return User.find_by_email(email).email_confirmed


@pytest.fixture
def registered(auth, outbox):
    """A new account, registered through the form (which mails the link)."""
    assert auth.register().status_code == 302
    return confirmation_path(outbox)


def test_registering_mails_a_confirmation_link_with_both_parts(app, auth, outbox):
    response = auth.register()

    assert response.status_code == 302
    (message,) = outbox
    assert message["To"] == EMAIL
    assert app.config["APP_NAME"] in message["Subject"]
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None
    (link,) = links_in(message)
    assert link.startswith(app.config["PUBLIC_URL"] + "/auth/confirm/")
    assert link in html_of(message)
    assert "confirm" in text_of(message).lower()


def test_a_new_account_is_unconfirmed_and_the_dashboard_says_so(app, client, auth, registered):
    auth.login()
    page = client.get("/dashboard").get_data(as_text=True)

    assert not is_confirmed(app)
    assert "Unconfirmed" in page
    assert 'action="/auth/confirm"' in page


def test_following_the_link_confirms_the_address(app, client, auth, registered):
    response = client.get(registered)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert is_confirmed(app)
    auth.login()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Confirmed" in page
    assert "unconfirmed" not in page.lower()


def test_a_logged_in_dashboard_shows_the_confirmation_at_once(app, client, auth, registered):
    """Even when the link is followed in another browser: no wait for the recheck."""
    auth.login()
    assert "Unconfirmed" in client.get("/dashboard").get_data(as_text=True)

    assert app.test_client().get(registered).status_code == 302

    assert "unconfirmed" not in client.get("/dashboard").get_data(as_text=True).lower()


def test_following_the_link_while_logged_in_goes_to_the_dashboard(client, auth, registered):
    auth.login()
    response = client.get(registered)
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'class="flash flash-success"' in page
    assert "unconfirmed" not in page.lower()


def test_following_the_link_again_changes_nothing(app, client, registered):
    client.get(registered)
    with app.app_context():
        first = User.find_by_email(EMAIL).email_confirmed_at
    assert client.get(registered).status_code == 302
    with app.app_context():
        assert User.find_by_email(EMAIL).email_confirmed_at == first


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(app, client, registered):
    with app.app_context():
        User.find_by_email(EMAIL).email = "moved@example.com"
        db.session.commit()
    assert client.get(registered).status_code == 400
    assert not is_confirmed(app, "moved@example.com")


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: tokens.make_password_reset_token(user),
        lambda user: tokens.make_email_change_token(user, user.email),
        lambda user: "garbage",
    ],
    ids=["reset-token", "email-change-token", "garbage"],
)
def test_a_token_for_another_purpose_is_refused(app, client, user, make_token):
    with app.app_context():
        token = make_token(db.session.get(User, user.id))
    response = client.get(f"/auth/confirm/{token}")
    assert response.status_code == 400
    assert "invalid or has expired" in response.get_data(as_text=True)
    assert not is_confirmed(app)


def test_an_expired_link_is_refused(app, client, user):
    token = expired_token(
        app,
        "EMAIL_CONFIRMATION_MAX_AGE",
        lambda: tokens.make_confirmation_token(db.session.get(User, user.id)),
    )
    assert client.get(f"/auth/confirm/{token}").status_code == 400
    assert not is_confirmed(app)


def test_the_dashboard_button_mails_a_new_link(client, auth, registered, outbox):
    auth.login()
    response = auth.submit("/auth/confirm", {}, form_path="/dashboard")

    assert response.headers["Location"] == "/dashboard"
    assert len(mails_to(outbox, EMAIL)) == 2
    assert 'class="flash flash-info"' in client.get("/dashboard").get_data(as_text=True)


def test_a_confirmed_address_is_not_mailed_again(client, auth, registered, outbox):
    client.get(registered)
    auth.login()
    auth.submit("/auth/confirm", {}, form_path="/dashboard")
    assert len(outbox) == 1
    assert "already confirmed" in client.get("/dashboard").get_data(as_text=True)


def test_asking_again_needs_a_login_and_a_csrf_token(client, auth, registered, outbox):
    anonymous = auth.submit("/auth/confirm", {}, form_path="/auth/login")
    assert anonymous.headers["Location"].startswith("/auth/login")
    auth.login()
    assert client.post("/auth/confirm").status_code == 400
    assert len(outbox) == 1


def test_asking_again_is_limited_per_address(app, client, auth, registered):
    app.config["CONFIRMATION_TARGET_RATE_LIMIT"] = "2 per minute"
    auth.login()
    statuses = [
        auth.submit("/auth/confirm", {}, form_path="/dashboard").status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_unconfirmed_accounts_may_log_in_by_default(app, auth, registered):
    assert app.config["ALLOW_UNCONFIRMED_LOGIN"] is True
    assert auth.login().status_code == 302


def test_unconfirmed_accounts_can_be_kept_out_until_they_confirm(
    app, client, auth, registered, outbox
):
    app.config["ALLOW_UNCONFIRMED_LOGIN"] = False

    refused = auth.login()

    assert refused.status_code == 200
    assert "confirm your email address" in refused.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    new_link = path_of(links_in(mails_to(outbox, EMAIL)[-1])[0])
    assert len(mails_to(outbox, EMAIL)) == 2  # the refusal mails a fresh link
    client.get(new_link)
    assert auth.login().status_code == 302


def test_a_wrong_password_of_an_unconfirmed_account_mails_nothing(app, auth, registered, outbox):
    app.config["ALLOW_UNCONFIRMED_LOGIN"] = False
    auth.login(password="not the password")
    assert len(outbox) == 1


def test_the_cli_user_is_unconfirmed_and_mailed_nothing(app, runner, outbox):
    result = runner.invoke(args=["create-user", "cli@example.com", "--password", PASSWORD])
    assert result.exit_code == 0
    assert outbox == []
    assert AuthActions(app.test_client()).login("cli@example.com").status_code == 302


def test_following_the_link_in_another_users_browser_confirms_only_the_owner(
    app, registered, other_user
):
    browser = app.test_client()
    AuthActions(browser).login(other_user.email, other_user.password)

    assert browser.get(registered).headers["Location"] == "/dashboard"

    assert is_confirmed(app)
    assert not is_confirmed(app, other_user.email)
    assert other_user.email in browser.get("/dashboard").get_data(as_text=True)


def test_the_confirmation_job_mails_nothing_when_there_is_nothing_to_confirm(
    app, registered, outbox
):
    app.test_client().get(registered)
    with app.app_context():
        send_confirmation(User.find_by_email(EMAIL).id)  # confirmed meanwhile
        send_confirmation(999)  # deleted meanwhile
    assert len(outbox) == 1


def test_asking_again_after_a_revocation_elsewhere_mails_nothing(app, client, auth, registered):
    auth.login()
    token = auth.csrf_token("/dashboard")
    with app.app_context():
        end_logins_of(User.find_by_email(EMAIL))
        db.session.commit()
    assert client.post("/auth/confirm", data={"csrf_token": token}).status_code == 302

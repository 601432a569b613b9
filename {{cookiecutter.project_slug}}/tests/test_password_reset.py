"""Password reset: a link by mail, the same answer for any address, every login revoked after."""

import re

import pytest

from app.auth import tokens
from app.auth.models import User
from app.extensions import db
from tests.conftest import (
    CSRF_TOKEN,
    EMAIL,
    PASSWORD,
    AuthActions,
    expired_token,
    links_in,
    mails_to,
    path_of,
    text_of,
)

NEW_PASSWORD = "a brand new horse battery"
UNKNOWN = "nobody@example.com"


def ask_for_reset(auth, email=EMAIL):
    """Send the "forgot your password" form."""
    return auth.submit("/auth/reset", {"email": email})


def reset_link(outbox, email=EMAIL):
    (message,) = mails_to(outbox, email)
    (link,) = links_in(message)
    return link


def choose_password(auth, path, password=NEW_PASSWORD, confirm=None):
    """Send the new-password form (its CSRF token read from another page: a bad
    link shows no form)."""
    data = {"password": password, "confirm_password": confirm or password}
    return auth.submit(path, data, form_path="/auth/reset")


def can_log_in(app, password, email=EMAIL):
    """Whether a new browser logs in with ``password``."""
    return AuthActions(app.test_client()).login(email, password).status_code == 302


def without_csrf_tokens(response):
    """A page's text without its CSRF tokens, which differ per session anyway."""
    return re.sub(r'value="[^"]{40,}"', 'value=""', response.get_data(as_text=True))


def test_the_login_page_links_to_the_reset_form(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/reset"' in page
    assert "Forgot your password?" in page


def test_the_reset_form_asks_for_an_email(client):
    response = client.get("/auth/reset")
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_a_known_address_is_mailed_a_link(app, auth, user, outbox):
    response = ask_for_reset(auth)

    assert response.status_code == 302
    (message,) = outbox
    assert message["To"] == EMAIL
    assert app.config["APP_NAME"] in message["Subject"]
    assert path_of(reset_link(outbox)).startswith("/auth/reset/")
    assert "reset" in text_of(message).lower()


def test_known_and_unknown_addresses_get_the_same_answer(client, auth, user, outbox):
    known = ask_for_reset(auth, EMAIL)
    known_page = client.get(known.headers["Location"])
    unknown = ask_for_reset(auth, UNKNOWN)
    unknown_page = client.get(unknown.headers["Location"])

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert without_csrf_tokens(known_page) == without_csrf_tokens(unknown_page)
    assert 'class="flash flash-info"' in known_page.get_data(as_text=True)
    assert [message["To"] for message in outbox] == [EMAIL]  # nothing for the unknown one


def test_the_link_is_built_from_public_url_never_from_the_host_header(app, client, user, outbox):
    page = client.get("/auth/reset", headers={"Host": "evil.example"}).get_data(as_text=True)
    csrf = CSRF_TOKEN.search(page).group(1)
    client.post(
        "/auth/reset",
        data={"csrf_token": csrf, "email": EMAIL},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    link = reset_link(outbox)
    assert link.startswith(app.config["PUBLIC_URL"] + "/auth/reset/")
    assert "evil.example" not in text_of(outbox[0])


def test_the_link_sets_a_new_password_and_the_old_one_stops_working(app, auth, user, outbox):
    ask_for_reset(auth)
    path = path_of(reset_link(outbox))
    assert auth._client.get(path).status_code == 200

    response = choose_password(auth, path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert can_log_in(app, NEW_PASSWORD)
    assert not can_log_in(app, PASSWORD)


def test_a_reset_says_so_and_mails_a_notice(client, auth, user, outbox):
    ask_for_reset(auth)
    response = choose_password(auth, path_of(reset_link(outbox)))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash flash-success" in page
    assert "changed" in text_of(outbox[-1]).lower()


def test_following_a_reset_link_confirms_the_address(app, auth, user, outbox):
    ask_for_reset(auth)
    choose_password(auth, path_of(reset_link(outbox)))
    with app.app_context():
        assert db.session.get(User, user.id).email_confirmed


def test_a_link_works_only_once(auth, user, outbox):
    ask_for_reset(auth)
    path = path_of(reset_link(outbox))
    choose_password(auth, path)

    again = choose_password(auth, path, password="yet another horse battery")

    assert again.status_code == 400
    assert "invalid, has expired or has been used" in again.get_data(as_text=True)


def test_a_link_stops_working_once_the_password_changes_another_way(app, auth, user, outbox):
    ask_for_reset(auth)
    path = path_of(reset_link(outbox))
    with app.app_context():
        db.session.get(User, user.id).set_password("changed some other way")
        db.session.commit()

    assert auth._client.get(path).status_code == 400


def test_a_link_stops_working_once_the_address_changes(app, auth, user, outbox):
    """A link mailed to the old address must not reset the account that moved away from it."""
    ask_for_reset(auth)
    path = path_of(reset_link(outbox))
    with app.app_context():
        db.session.get(User, user.id).change_email("moved@example.org")
        db.session.commit()

    assert choose_password(auth, path).status_code == 400
    assert not can_log_in(app, NEW_PASSWORD, "moved@example.org")
    assert can_log_in(app, PASSWORD, "moved@example.org")


def test_an_expired_link_changes_nothing(app, auth, user):
    token = expired_token(
        app,
        "PASSWORD_RESET_MAX_AGE",
        lambda: tokens.make_password_reset_token(db.session.get(User, user.id)),
    )

    response = auth._client.get(f"/auth/reset/{token}")

    assert response.status_code == 400
    assert can_log_in(app, PASSWORD)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: tokens.make_confirmation_token(user),
        lambda user: tokens.make_email_change_token(user, "new@example.com"),
        lambda user: tokens.serializer("another-purpose").dumps({"user": user.id}),
        lambda user: tokens.make_password_reset_token(user)[:-3] + "abc",
        lambda user: "not-a-token",
    ],
    ids=["confirmation", "email-change", "other-salt", "tampered", "garbage"],
)
def test_a_token_made_for_something_else_or_tampered_with_is_refused(app, auth, user, make_token):
    with app.app_context():
        token = make_token(db.session.get(User, user.id))

    response = choose_password(auth, f"/auth/reset/{token}")

    assert response.status_code == 400
    assert can_log_in(app, PASSWORD)


def test_the_new_password_follows_the_rules(app, auth, user, outbox):
    ask_for_reset(auth)
    path = path_of(reset_link(outbox))

    short = choose_password(auth, path, password="short")
    mismatch = choose_password(auth, path, confirm="something else entirely")

    assert short.status_code == mismatch.status_code == 200
    assert "field-errors" in short.get_data(as_text=True)
    assert "Passwords do not match." in mismatch.get_data(as_text=True)
    assert can_log_in(app, PASSWORD)


def test_the_forms_refuse_a_post_without_a_csrf_token(client, user, outbox):
    assert client.post("/auth/reset", data={"email": EMAIL}).status_code == 400
    assert outbox == []


def test_a_reset_ends_every_session_and_remember_cookie_of_the_account(app, auth, user, outbox):
    other_browser = app.test_client()
    AuthActions(other_browser).login(remember_me=True)
    assert other_browser.get("/dashboard").status_code == 200
    ask_for_reset(auth)

    choose_password(auth, path_of(reset_link(outbox)))

    assert other_browser.get("/dashboard").status_code == 302
    other_browser.delete_cookie("session")  # the remember-me cookie alone
    assert other_browser.get("/dashboard").status_code == 302


def test_unknown_addresses_count_against_the_per_address_limit(app, auth, user, outbox):
    app.config["PASSWORD_RESET_TARGET_RATE_LIMIT"] = "2 per minute"
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "100 per minute"
    answers = [ask_for_reset(auth, UNKNOWN).status_code for _ in range(3)]
    known = [ask_for_reset(auth, EMAIL).status_code for _ in range(3)]

    assert answers == known == [302, 302, 429]


def test_one_client_is_limited_whatever_addresses_it_tries(app, auth, user):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "3 per minute"
    answers = [ask_for_reset(auth, f"user{number}@example.com") for number in range(4)]

    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_a_target_is_limited_across_clients(app, user):
    app.config["PASSWORD_RESET_TARGET_RATE_LIMIT"] = "2 per minute"
    statuses = []
    for number in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        statuses.append(ask_for_reset(AuthActions(client), EMAIL.upper()).status_code)
    assert statuses == [302, 302, 429]


def test_resetting_while_logged_in_as_the_account_logs_this_browser_out(client, auth, user, outbox):
    auth.login()
    ask_for_reset(auth)

    response = choose_password(auth, path_of(reset_link(outbox)))

    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'class="flash flash-success"' in page  # the message survived the new session
    assert client.get("/dashboard").status_code == 302

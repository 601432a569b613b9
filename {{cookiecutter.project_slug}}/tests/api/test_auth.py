"""Who is calling the API: a bearer token, or a browser's session cookie plus its CSRF token."""

import pytest

from app.auth.models import User
from app.extensions import db
from tests.api.helpers import asks_for_a_bearer_token, is_problem
from tests.conftest import EMAIL, OTHER_EMAIL, AuthActions

ME = "/api/v1/users/me"
ITEMS = "/api/v1/items"


def test_me_shows_the_callers_account(api, user):
    response = api.get(ME)
    assert response.status_code == 200
    assert response.json["id"] == user.id
    assert response.json["email"] == EMAIL
    assert response.json["created_at"].endswith("+00:00")


def test_me_shows_nothing_else(api):
    assert api.get(ME).json.keys() == {
        "id",
        "email",
        "email_confirmed",
{%- if cookiecutter.use_admin %}
        "is_admin",
{%- endif %}
        "created_at",
    }


def test_me_shows_neither_the_password_hash_nor_the_login_id(api):
    body = api.get(ME).text
    assert "scrypt" not in body
    assert "login_id" not in body
    assert "password" not in body


@pytest.mark.parametrize("path", [ME, ITEMS, f"{ITEMS}/1"])
def test_an_anonymous_caller_gets_401_asking_for_a_bearer_token(script, path):
    assert asks_for_a_bearer_token(script.get(path))


def test_an_anonymous_post_gets_401_not_a_csrf_error(script):
    assert asks_for_a_bearer_token(script.post(ITEMS, json={"title": "Hi"}))


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic YWRhQGV4YW1wbGUuY29tOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==",
        "Bearer",
        "Bearer ",
        "Token abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
        "Bearer abc",
        "Bearer " + "a" * 42,
        "Bearer " + "a" * 44,
        "Bearer " + "a" * 43,
        "Bearer " + "a" * 42 + "=",
        "Bearer " + "a" * 10_000,
        "Bearer ../../../../etc/passwd",
        "Bearer a b",
        "",
    ],
    ids=[
        "basic",
        "bearer-without-token",
        "bearer-and-space",
        "other-scheme",
        "short",
        "one-too-short",
        "one-too-long",
        "right-shape-unknown",
        "wrong-alphabet",
        "huge",
        "path",
        "two-words",
        "empty",
    ],
)
def test_a_malformed_or_unknown_authorization_gets_401(script, user, authorization):
    assert asks_for_a_bearer_token(script.get(ME, headers={"Authorization": authorization}))


def test_a_non_ascii_token_gets_401(script, user):
    # WSGI carries header bytes as latin-1: these are the UTF-8 bytes of "é".
    response = script.get(ME, environ_overrides={"HTTP_AUTHORIZATION": "Bearer " + "Ã©" * 22})
    assert asks_for_a_bearer_token(response)


def test_a_token_of_the_right_shape_but_non_ascii_gets_401(script, user):
    response = script.get(ME, headers={"Authorization": "Bearer " + "é" * 43})
    assert asks_for_a_bearer_token(response)


def test_a_bad_token_is_refused_even_with_a_good_session_cookie(client, auth, user):
    auth.login()
    assert asks_for_a_bearer_token(client.get(ME, headers={"Authorization": "Bearer nope"}))


def test_the_bearer_scheme_is_case_insensitive(api):
    assert api.get(ME, headers={"Authorization": f"bearer {api.token}"}).status_code == 200


def test_a_browser_session_can_read_the_api_without_a_header(client, auth, user):
    auth.login()
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json["email"] == EMAIL


def test_a_browser_session_can_list_its_items(client, auth, user):
    auth.login()
    assert client.get(ITEMS).json["total"] == 0


def test_a_browser_change_without_a_csrf_header_is_400(app, client, auth, user):
    auth.login()
    response = client.post(ITEMS, json={"title": "Forged"})
    assert is_problem(response, 400)
    assert "CSRF" in response.json["detail"]
    assert client.get(ITEMS).json["total"] == 0


def test_a_browser_change_with_a_wrong_csrf_header_is_400(client, auth, user):
    auth.login()
    response = client.post(ITEMS, json={"title": "Forged"}, headers={"X-CSRFToken": "forged"})
    assert is_problem(response, 400)


def test_a_browser_change_with_the_sessions_csrf_header_succeeds(client, auth, user):
    auth.login()
    csrf = {"X-CSRFToken": auth.csrf_token("/dashboard")}
    response = client.post(ITEMS, json={"title": "From the page"}, headers=csrf)
    assert response.status_code == 201


def test_a_csrf_token_from_another_session_is_refused(app, client, auth, user):
    auth.login()
    stranger = app.test_client()
    stolen = {"X-CSRFToken": AuthActions(stranger).csrf_token("/auth/login")}
    response = client.post(ITEMS, json={"title": "Forged"}, headers=stolen)
    assert is_problem(response, 400)


def test_a_browser_patch_and_delete_need_the_csrf_header_too(app, client, auth, user):
    auth.login()
    csrf = {"X-CSRFToken": auth.csrf_token("/dashboard")}
    item_id = client.post(ITEMS, json={"title": "Mine"}, headers=csrf).json["id"]
    path = f"{ITEMS}/{item_id}"
    assert is_problem(client.patch(path, json={"title": "Forged"}), 400)
    assert is_problem(client.delete(path), 400)
    assert client.get(path).json["title"] == "Mine"
    assert client.patch(path, json={"title": "Renamed"}, headers=csrf).status_code == 200
    assert client.delete(path, headers=csrf).status_code == 204


def test_bearer_calls_need_no_csrf_header(api):
    assert api.post(ITEMS, json={"title": "From a script"}).status_code == 201


def test_a_bearer_token_wins_over_another_users_session(client, auth, user, other_api):
    auth.login()
    response = client.get(ME, headers=other_api.headers)
    assert response.json["email"] == OTHER_EMAIL


def test_a_bearer_change_skips_csrf_even_with_a_session_cookie(client, auth, user, other_api):
    auth.login()
    response = client.post(ITEMS, json={"title": "Grace's"}, headers=other_api.headers)
    assert response.status_code == 201
    assert client.get(ITEMS).json["total"] == 0
    assert other_api.get(ITEMS).json["total"] == 1


def test_logging_out_ends_api_access_by_cookie(client, auth, user):
    auth.login()
    auth.logout()
    assert asks_for_a_bearer_token(client.get(ME))


def test_logging_out_of_the_site_leaves_tokens_working(client, auth, api):
    auth.login()
    auth.logout()
    assert api.get(ME).status_code == 200


def test_a_session_cookie_of_a_deleted_user_gets_401(app, client, auth, user):
    """The user's logins went with the row: the cookie is anonymous at once."""
    auth.login()
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    assert asks_for_a_bearer_token(client.get(ME))


def test_a_session_logged_out_elsewhere_gives_no_api_access(app, client, auth, user):
    auth.login()
    session_id = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", session_id)
    assert asks_for_a_bearer_token(thief.get(ME))

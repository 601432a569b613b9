"""The API tokens page (/account/tokens): make a named token, see it once, list, revoke."""

import re

import pytest

from tests.api.conftest import ApiClient, issue_token
from tests.api.helpers import expire_token, field_errors, stored_tokens

PAGE = "/account/tokens"
ME = "/api/v1/users/me"


def create(auth, client, name, csrf=True):
    data = {"name": name}
    if csrf:
        data["csrf_token"] = auth.csrf_token(PAGE)
    return client.post(PAGE, data=data)


def shown_token(page):
    return re.search(
        r'id="token-value" class="token-value" type="text" readonly value="([^"]+)"', page
    )


def test_the_navigation_links_the_tokens_page_and_the_docs(client, logged_in):
    page = client.get("/dashboard").text
    assert f'href="{PAGE}"' in page
    assert 'href="/api/docs"' in page


def test_a_new_user_has_no_tokens(client, logged_in):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "No tokens yet." in response.text
    assert 'href="/api/docs"' in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_token_made_here_is_shown_once_and_opens_the_api(app, auth, client, logged_in):
    response = create(auth, client, "  backup script ")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Token “backup script” created." in response.text
    assert 'class="flash flash-success"' in response.text
    assert "it is shown only this once" in response.text
    plain = shown_token(response.text)[1]
    assert ApiClient(app, plain).get(ME).status_code == 200
    [token] = stored_tokens(app, logged_in.id)
    assert token.name == "backup script"
    assert plain not in token.token_hash
    page = client.get(PAGE).text
    assert shown_token(page) is None
    assert '<td class="token-name">backup script</td>' in page


def test_the_list_shows_expiry_and_hides_expired_tokens(app, auth, client, logged_in):
    plain = shown_token(create(auth, client, "old").text)[1]
    expire_token(app, plain)
    create(auth, client, "new")
    page = client.get(PAGE).text
    assert re.findall(r'<td class="token-name">(.*?)</td>', page) == ["new"]
    [token] = [t for t in stored_tokens(app, logged_in.id) if t.name == "new"]
    assert token.expires_at.strftime("%Y-%m-%d %H:%M UTC") in page


def test_a_token_from_the_api_is_listed_with_its_name_if_any(app, client, logged_in):
    issue_token(app)
    response = app.test_client(use_cookies=False).post(
        "/api/v1/tokens",
        json={"email": logged_in.email, "password": logged_in.password, "name": "ci"},
    )
    assert response.status_code == 201
    names = re.findall(r'<td class="token-name">(.*?)</td>', client.get(PAGE).text)
    assert names == ["ci", "(no name)"]


@pytest.mark.parametrize("name", ["", "x" * 101, "a\x00b", 7])
def test_the_api_refuses_a_bad_token_name(app, script, logged_in, name):
    body = {"email": logged_in.email, "password": logged_in.password, "name": name}
    response = script.post("/api/v1/tokens", json=body)
    assert response.status_code == 422
    assert field_errors(response).keys() == {"name"}
    assert stored_tokens(app, logged_in.id) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Name must be 1 to 100 characters long."),
        ("   ", "Name must be 1 to 100 characters long."),
        ("x" * 101, "Name must be 1 to 100 characters long."),
        ("a\x00b", "Name contains characters that cannot be stored."),
    ],
    ids=["empty", "blank", "too-long", "nul"],
)
def test_a_bad_name_is_422_with_the_error_and_makes_no_token(
    app, auth, client, logged_in, name, message
):
    response = create(auth, client, name)
    assert response.status_code == 422
    assert message in response.text
    assert shown_token(response.text) is None
    assert stored_tokens(app, logged_in.id) == []


def test_making_a_token_without_a_csrf_token_is_400(app, auth, client, logged_in):
    assert create(auth, client, "forged", csrf=False).status_code == 400
    assert stored_tokens(app, logged_in.id) == []


def test_revoking_asks_first_then_the_token_is_refused(app, auth, client, logged_in):
    plain = shown_token(create(auth, client, "<ci>").text)[1]
    [token] = stored_tokens(app, logged_in.id)
    link = f"{PAGE}/{token.id}/revoke"
    assert f'<a class="danger" href="{link}">Revoke</a>' in client.get(PAGE).text

    confirm = client.get(link).text
    assert "Revoke the token &ldquo;&lt;ci&gt;&rdquo;" in confirm
    assert f'action="{link}"' in confirm
    assert '<button type="submit" class="danger">Revoke token</button>' in confirm
    assert f'<a class="secondary" href="{PAGE}">Cancel</a>' in confirm
    assert ApiClient(app, plain).get(ME).status_code == 200

    response = client.post(link, data={"csrf_token": auth.csrf_token(link)})
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    assert "Token “&lt;ci&gt;” revoked." in client.get(PAGE).text
    assert ApiClient(app, plain).get(ME).status_code == 401
    assert stored_tokens(app, logged_in.id) == []


def test_revoking_a_token_from_the_api_says_so(app, auth, client, logged_in):
    issue_token(app)
    [token] = stored_tokens(app, logged_in.id)
    link = f"{PAGE}/{token.id}/revoke"
    client.post(link, data={"csrf_token": auth.csrf_token(link)})
    assert "Token revoked." in client.get(PAGE).text


def test_revoking_without_a_csrf_token_is_400(app, client, logged_in):
    issue_token(app)
    [token] = stored_tokens(app, logged_in.id)
    assert client.post(f"{PAGE}/{token.id}/revoke").status_code == 400
    assert len(stored_tokens(app, logged_in.id)) == 1


def test_another_users_token_is_404_and_survives(app, auth, client, logged_in, other_user):
    issue_token(app, other_user.email, other_user.password)
    [token] = stored_tokens(app, other_user.id)
    link = f"{PAGE}/{token.id}/revoke"
    assert client.get(link).status_code == 404
    assert client.post(link, data={"csrf_token": auth.csrf_token(PAGE)}).status_code == 404
    assert len(stored_tokens(app, other_user.id)) == 1


@pytest.mark.parametrize("token_id", ["12345", "abc", "0"])
def test_an_unknown_token_is_404(client, logged_in, token_id):
    assert client.get(f"{PAGE}/{token_id}/revoke").status_code == 404


def test_an_expired_token_cannot_be_revoked_again(app, auth, client, logged_in):
    plain = issue_token(app)
    expire_token(app, plain)
    [token] = stored_tokens(app, logged_in.id)
    assert client.get(f"{PAGE}/{token.id}/revoke").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(app, auth, client, user):
    issue_token(app)
    [token] = stored_tokens(app, user.id)
    for response in (
        client.get(PAGE),
        client.post(PAGE, data={"csrf_token": auth.csrf_token(), "name": "x"}),
        client.get(f"{PAGE}/{token.id}/revoke"),
        client.post(f"{PAGE}/{token.id}/revoke", data={"csrf_token": auth.csrf_token()}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    assert len(stored_tokens(app, user.id)) == 1


def test_the_api_docs_page_links_back_to_the_site(client, logged_in):
    page = client.get("/api/docs").text
    assert '<a href="/">&larr; Back to' in page
    assert f'href="{PAGE}"' in page


def test_the_api_docs_page_links_back_for_anyone(client):
    page = client.get("/api/docs").text
    assert '<a href="/">&larr; Back to' in page
    assert f'href="{PAGE}"' not in page

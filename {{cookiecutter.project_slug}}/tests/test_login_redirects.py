r"""``?next=`` after login: followed only when it is a path on this site.

Browsers treat ``//host``, ``/\host`` and the same with a tab or newline
inside as links to another site, so each of these must land on the dashboard.
"""

from urllib.parse import urlsplit

import pytest

from app.auth.redirects import safe_next_path

HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\t/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_login_never_redirects_off_site(auth, user, next_url):
    response = auth.login(next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("next_url", ["/dashboard?x=1", "/", "/dashboard"])
def test_login_follows_a_path_on_this_site(auth, user, next_url):
    response = auth.login(next_url=next_url)
    assert response.headers["Location"] == next_url


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_a_logged_in_visit_to_login_never_redirects_off_site(client, auth, user, next_url):
    auth.login()
    response = client.get("/auth/login", query_string={"next": next_url})
    assert response.headers["Location"] == "/dashboard"


def test_a_logged_in_visit_to_login_follows_a_safe_next(client, auth, user):
    auth.login()
    response = client.get("/auth/login", query_string={"next": "/?tab=account"})
    assert response.headers["Location"] == "/?tab=account"


def test_the_login_form_keeps_a_safe_next(client):
    response = client.get("/auth/login", query_string={"next": "/dashboard"})
    assert 'action="/auth/login?next=/dashboard"' in response.text


def test_the_login_form_drops_a_hostile_next(client):
    response = client.get("/auth/login", query_string={"next": "//evil.example"})
    assert 'action="/auth/login"' in response.text
    assert "evil.example" not in response.text


def test_a_failed_login_keeps_the_safe_next_in_the_form(auth, user):
    response = auth.login(password="wrong password", next_url="/dashboard?x=1")
    assert 'action="/auth/login?next=/dashboard?x%3D1"' in response.text


@pytest.mark.parametrize("target", [*HOSTILE_NEXT, None])
def test_safe_next_path_refuses_anything_off_site(target):
    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", ["/", "/dashboard", "/dashboard?x=1#top", "/a/b;c?d=%2F%2Fe"])
def test_safe_next_path_accepts_a_path_on_this_site(target):
    assert safe_next_path(target) == target
    assert not urlsplit(target).scheme
    assert not urlsplit(target).netloc

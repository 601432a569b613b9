"""Security headers and request ids on every response; proxy headers in production."""

import re

import pytest
from flask import make_response, request

from app.auth.guard import public

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def assert_security_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/no-such-page", 404),
        ("/static/css/app.css", 200),
        ("/health", 200),
        ("/dashboard", 302),
        ("/auth/logout", 405),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status):
    with client.get(path) as response:
        assert response.status_code == status
        assert_security_headers(response)


def test_error_and_json_responses_carry_them_too(app, client):
    app.add_url_rule("/boom", "boom", public(lambda: 1 / 0))
    assert_security_headers(client.get("/boom"))
    assert_security_headers(client.get("/dashboard", headers={"Accept": "application/json"}))
    assert_security_headers(client.post("/auth/login"))


def test_a_views_own_header_is_kept(app, client):
    def embeds_a_map():
        response = make_response("map")
        response.headers["Content-Security-Policy"] = "frame-src https://maps.example"
        return response

    app.add_url_rule("/map", "map", public(embeds_a_map))
    response = client.get("/map")
    assert response.headers["Content-Security-Policy"] == "frame-src https://maps.example"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_logged_in_pages_are_not_stored_by_caches(client, auth, user):
    auth.login()
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_anonymous_pages_may_be_cached(client):
    assert "Cache-Control" not in client.get("/").headers


def test_a_views_own_cache_control_is_kept_for_logged_in_users(client, auth, user):
    auth.login()
    with client.get("/static/css/app.css") as response:
        assert response.headers["Cache-Control"] != "no-store"


def test_a_request_id_is_made_when_none_is_sent(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first)
    assert first != second


def test_a_clients_request_id_is_echoed(client):
    response = client.get("/", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize(
    "unacceptable",
    ["a" * 129, "has spaces in it", "semi;colon", 'quote"d', "tab\tinside", "é-accent"],
    ids=["too-long", "spaces", "semicolon", "quote", "tab", "non-ascii"],
)
def test_an_unacceptable_request_id_is_replaced(client, unacceptable):
    response = client.get("/", headers={"X-Request-ID": unacceptable})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_a_response_carries_exactly_one_request_id(app, client):
    def sets_its_own_id():
        return "ok", 200, {"X-Request-ID": "forged-by-the-view"}

    app.add_url_rule("/own-id", "own_id", public(sets_its_own_id))
    response = client.get("/own-id", headers={"X-Request-ID": "abc-123"})
    assert response.headers.getlist("X-Request-ID") == ["abc-123"]


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers


def test_no_hsts_over_plain_http_in_production(production_app):
    response = production_app.test_client().get("/", base_url="http://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https_in_production(production_app):
    response = production_app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_covers_subdomains_only_when_configured(production_app):
    production_app.config["HSTS_INCLUDE_SUBDOMAINS"] = True
    response = production_app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_when_the_proxy_says_the_client_used_https(production_app):
    response = production_app.test_client().get(
        "/", base_url="http://localhost", headers={"X-Forwarded-Proto": "https"}
    )
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def add_client_address_route(app):
    app.add_url_rule("/whoami", "whoami", public(lambda: f"{request.remote_addr} {request.scheme}"))


def test_production_trusts_exactly_one_proxy(production_app):
    """From an allowed peer (FORWARDED_ALLOW_IPS, 127.0.0.1 by default), one hop is believed."""
    add_client_address_route(production_app)
    response = production_app.test_client().get(
        "/whoami",
        base_url="http://localhost",
        headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.text == "198.51.100.7 https"


def test_testing_trusts_no_proxy(app, client):
    add_client_address_route(app)
    response = client.get(
        "/whoami",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.text == "10.0.0.2 http"


def test_production_ignores_a_forwarded_host(production_app):
    """Absolute links must not be built from a host the client chose."""
    production_app.add_url_rule("/host", "host", public(lambda: request.host))
    response = production_app.test_client().get(
        "/host", base_url="http://app.example", headers={"X-Forwarded-Host": "evil.example"}
    )
    assert response.text == "app.example"

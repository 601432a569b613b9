"""The handshake at /ws: every refusal is a plain HTTP answer, made before any upgrade."""

import http.client
import time

import pytest
import redis

from app.auth.accounts import create_account
from app.auth.login_session import end_logins_of
from app.auth.models import User
from app.extensions import db
from app.realtime import hub
from app.realtime.handshake import origin_of
from tests.conftest import PASSWORD, AuthActions
from tests.realtime.conftest import HANDSHAKE, WAIT_SECONDS, close_all

OWN_ORIGIN = "http://localhost"  # the testing PUBLIC_URL's


def handshake(client, **headers):
    """A WebSocket handshake through the test client (which cannot go on to upgrade)."""
    return client.get("/ws", headers={**HANDSHAKE, **headers})


def test_an_anonymous_handshake_is_refused_with_401(client):
    response = handshake(client, Origin=OWN_ORIGIN)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
{%- if cookiecutter.use_api %}
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
{%- else %}
    assert "WWW-Authenticate" not in response.headers
{%- endif %}


def test_an_anonymous_handshake_over_the_network_is_refused_with_401(server):
    assert server.refusal({"Origin": server.origin}) == 401


def test_a_cookie_handshake_without_origin_is_refused_with_403(server, logged_in):
    assert server.refusal({"Cookie": server.cookie()}) == 403


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://127.0.0.1",  # same host, other scheme
        "http://127.0.0.1",  # same host, other port
        "http://app.127.0.0.1.evil.example",
        "null",
        "not a url",
        "http://127.0.0.1:99999",
    ],
)
def test_a_cookie_handshake_from_a_foreign_origin_is_refused_with_403(server, logged_in, origin):
    assert server.refusal({"Cookie": server.cookie(), "Origin": origin}) == 403


def test_a_cookie_handshake_from_the_apps_own_origin_is_accepted(server, logged_in):
    ws = server.browser_socket()

    assert ws.connected
    ws.close()


def past_the_origin_check(client, origin):
    """True when a handshake from ``origin`` gets past the Origin check.

    Without a Sec-WebSocket-Key it then stops at the next check (400),
    before this process's hub is ever started.
    """
    status = handshake(client, Origin=origin, **{"Sec-WebSocket-Key": ""}).status_code
    assert status in (400, 403)
    return status == 400


def test_the_own_origin_is_compared_without_case_or_default_port(client, logged_in, app):
    app.config["PUBLIC_URL"] = "https://Example.COM:443"

    assert origin_of("HTTPS://example.com") == "https://example.com"
    assert past_the_origin_check(client, "https://EXAMPLE.com")
    assert not past_the_origin_check(client, "https://example.com:8443")


def test_without_public_url_the_origin_is_the_one_the_request_came_to(client, logged_in, app):
    app.config["PUBLIC_URL"] = None

    assert past_the_origin_check(client, "http://localhost")
    assert not past_the_origin_check(client, "http://localhost:8080")


def test_development_accepts_a_page_at_the_loopback_address_the_request_came_to(
    client, logged_in, app
):
    """localhost:5000 and 127.0.0.1:5000 both work, whichever PUBLIC_URL names."""
    app.config.update(PUBLIC_URL="http://127.0.0.1:5000", REALTIME_ACCEPT_LOOPBACK_HOST=True)

    assert past_the_origin_check(client, "http://localhost")  # the test client's own host
    assert past_the_origin_check(client, "http://127.0.0.1:5000")  # PUBLIC_URL's
    assert not past_the_origin_check(client, "http://localhost:8080")  # not the request's port
    assert not past_the_origin_check(client, "http://evil.example")


def test_development_still_refuses_a_foreign_site_that_names_itself_in_host(app, server, logged_in):
    """A DNS name rebound to 127.0.0.1 sends its own name as Host: not a loopback one."""
    app.config["REALTIME_ACCEPT_LOOPBACK_HOST"] = True
    site = f"evil.example:{server.port}"
    rebound = {"Cookie": server.cookie(), "Origin": f"http://{site}", "Host": site}
    local = {"Cookie": server.cookie(), "Origin": f"http://localhost:{server.port}"}

    assert server.refusal(rebound) == 403
    assert server.refusal({**local, "Host": f"localhost:{server.port}"}) == 101


def test_other_environments_accept_only_the_public_url(client, logged_in, app):
    assert app.config["REALTIME_ACCEPT_LOOPBACK_HOST"] is False
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"

    assert not past_the_origin_check(client, "http://localhost")


def test_a_foreign_origin_is_logged_with_the_one_expected(client, logged_in, caplog):
    response = handshake(client, Origin="http://evil.example")

    assert response.status_code == 403
    assert "open that address or set PUBLIC_URL" in response.json["detail"]
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "Live updates: handshake refused with 403: Live updates refused: this page's "
        "address (http://evil.example) is not PUBLIC_URL (http://localhost); "
        "open that address or set PUBLIC_URL."
    )


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_a_handshake_without_credentials_is_logged(client, caplog):
    assert handshake(client, Origin=OWN_ORIGIN).status_code == 401
    assert warnings_of(caplog) == [
        "Live updates: handshake refused with 401: Log in to receive live updates."
    ]


def test_a_handshake_refused_for_redis_is_logged(server, logged_in, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(hub.Hub, "serve_subscription", broken)

    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 503
    assert any(
        "handshake refused with 503" in m and "Redis does not answer" in m
        for m in warnings_of(caplog)
    )


def test_the_pages_check_names_the_address_to_open_instead(client, logged_in, caplog):
    """The page's script asks with a plain GET, naming its own address, to show why."""
    response = client.get("/ws", headers={"X-Page-Origin": "http://127.0.0.1:5001"})

    assert response.status_code == 403
    assert response.json["detail"] == (
        "Live updates refused: this page's address (http://127.0.0.1:5001) is not "
        "PUBLIC_URL (http://localhost); open that address or set PUBLIC_URL."
    )
    assert "check refused with 403" in caplog.text
    assert client.get("/ws", headers={"X-Page-Origin": OWN_ORIGIN}).status_code == 426


def test_ipv6_origins_keep_their_brackets():
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert origin_of("wss://[::1]") == "https://[::1]"


def test_a_plain_get_answers_426_once_logged_in_so_the_page_knows_it_may_connect(
    client, auth, user
):
    assert client.get("/ws").status_code == 401  # what the page's script reads as "signed out"
    auth.login()

    response = client.get("/ws")

    assert response.status_code == 426
    assert response.headers["Upgrade"] == "websocket"


def test_without_anything_to_carry_events_the_page_is_told_they_are_off(
    app, client, logged_in, monkeypatch, caplog
):
    """Development without REDIS_URL and without the dev extra's emulator."""
    monkeypatch.setattr(app.extensions["realtime"], "client", None)

    probe = client.get("/ws")
    response = handshake(client, Origin=OWN_ORIGIN)

    assert (probe.status_code, response.status_code) == (503, 503)
    assert "set REDIS_URL" in response.json["detail"]
    assert any("refused with 503: Live updates are off" in m for m in warnings_of(caplog))


def test_a_handshake_without_a_key_is_refused_with_400(client, logged_in):
    response = handshake(client, Origin=OWN_ORIGIN, **{"Sec-WebSocket-Key": ""})

    assert response.status_code == 400


def test_a_handshake_of_another_protocol_version_is_refused_with_426(client, logged_in):
    response = handshake(client, Origin=OWN_ORIGIN, **{"Sec-WebSocket-Version": "8"})

    assert response.status_code == 426
    assert response.headers["Sec-WebSocket-Version"] == "13"


def test_a_handshake_while_redis_is_down_is_refused_with_503(client, logged_in, refuse_redis):
    refuse_redis("getex")

    response = handshake(client, Origin=OWN_ORIGIN)

    assert response.status_code == 503
    assert "Retry-After" in response.headers


def test_a_handshake_while_the_subscription_is_down_is_refused_with_503(
    server, logged_in, monkeypatch
):
    def broken(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(hub.Hub, "serve_subscription", broken)

    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 503


def test_a_handshake_whose_login_was_revoked_is_refused_at_once(app, server, logged_in):
    with app.app_context():  # a password changed elsewhere ends every login of the user
        end_logins_of(db.session.get(User, logged_in.id))
        db.session.commit()

    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 401


def test_a_session_made_by_the_handshake_itself_is_refused(app, client, server, auth, user):
    """A remember-me login during a handshake makes a session no browser was told of."""
    auth.login(remember_me=True)
    client.delete_cookie("session")

    remember = client.get_cookie("remember_token")
    headers = {"Cookie": f"remember_token={remember.value}", "Origin": server.origin}

    assert server.refusal(headers) == 401


def test_a_user_may_open_ten_sockets_and_more_are_refused_with_429(app, server, logged_in, caplog):
    app.config["REALTIME_MAX_SOCKETS_PER_USER"] = 10
    sockets = [server.browser_socket() for _ in range(10)]
    browser = {"Cookie": server.cookie(), "Origin": server.origin}

    assert all(ws.connected for ws in sockets)
    assert server.refusal(browser) == 429
    assert any(
        "handshake refused with 429" in m and "REALTIME_MAX_SOCKETS_PER_USER" in m
        for m in warnings_of(caplog)
    )

    sockets.pop().close()  # a slot given back is free again, once the server saw the close
    deadline = time.monotonic() + 5
    while (status := server.refusal(browser)) == 429 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 101
    for ws in sockets:
        ws.close()


def test_a_process_refuses_sockets_beyond_its_cap_with_503(app, server, logged_in):
    app.config["REALTIME_MAX_SOCKETS_PER_PROCESS"] = 1
    first = server.browser_socket()

    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 503
    first.close()


def handshake_from(server, headers, source):
    """The status of a handshake sent from the local address ``source`` (127.0.0.x):
    another client, as the app sees it."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=WAIT_SECONDS, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/ws", headers={**HANDSHAKE, **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def test_sockets_are_capped_per_client_address_whatever_the_accounts(
    app, server, logged_in, other_user
):
    """Two accounts from one address fill its cap; a third account from there gets 429,
    while the same account from another address still gets its socket."""
    app.config["REALTIME_MAX_SOCKETS_PER_ADDRESS"] = 10
    other = app.test_client()
    AuthActions(other).login(other_user.email, other_user.password)
    with app.app_context():
        create_account("third@example.com", PASSWORD)
    third = app.test_client()
    AuthActions(third).login("third@example.com", PASSWORD)
    sockets = [server.browser_socket() for _ in range(6)]
    sockets += [server.browser_socket(other) for _ in range(4)]

    assert all(ws.connected for ws in sockets)  # each account is far below its own cap
    third_browser = {"Cookie": server.cookie(third), "Origin": server.origin}
    assert server.refusal(third_browser) == 429
    assert handshake_from(server, third_browser, "127.0.0.2") == 101
    close_all(*sockets)

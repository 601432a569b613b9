"""Live updates end to end: two gunicorn instances sharing PostgreSQL and Redis.

A default bake is served twice, as two instances behind a load balancer
would be (the same settings and secret, each with its own port as its
PUBLIC_URL). Sockets opened on one instance must get the events of changes
made on the other; every hostile handshake must be refused before any
upgrade. The module runs PostgreSQL and Redis of its own, since one test
restarts Redis under open sockets: it needs their server binaries (skipped
without them, failed under ``CI=true``, where .ci/run installs them).
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
import simple_websocket

from helpers.browser import Browser
from helpers.processes import (
    describe,
    free_port,
    project_env,
    run,
    server_log,
    start_server,
    stop_server,
    wait_for_http,
)
from helpers.services import OwnPostgres, OwnRedis, find_postgres_bin
from helpers.serving import new_email

PASSWORD = "correct horse battery staple"
HANDSHAKE = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}
SESSION_ENDED = 4001
# The contract's own numbers.
EVENT_SECONDS = 1.0
SESSION_END_SECONDS = 5.0
PAGE_SECONDS = 1.0


@dataclass
class Instance:
    """One gunicorn serving the bake."""

    port: int
    process: object

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def browser(self):
        return Browser("127.0.0.1", self.port, timeout=10)

    def status_of(self, headers):
        """The status a handshake with ``headers`` gets (101 when accepted)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", "/ws", headers={**HANDSHAKE, **headers})
            return connection.getresponse().status
        finally:
            connection.close()

    def socket(self, headers):
        return simple_websocket.Client(f"ws://127.0.0.1:{self.port}/ws", headers=headers)


@dataclass
class Site:
    """Two instances of one bake, and the Redis they share."""

    first: Instance
    second: Instance
    redis: OwnRedis
    start: object


def cookie_of(browser):
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def logged_in(instance, email=None):
    """A new account registered and logged in on ``instance``: (browser, email)."""
    email = email or new_email()
    browser = instance.browser()
    assert browser.register(email, PASSWORD).status == 302
    assert browser.log_in(email, PASSWORD).status == 302
    return browser, email


def browser_socket(instance, browser):
    return instance.socket({"Cookie": cookie_of(browser), "Origin": instance.origin})


def token_for(instance, email):
    response = instance.browser().api(
        "POST", "/api/v1/tokens", {"email": email, "password": PASSWORD}
    )
    assert response.status == 201, response.text
    return response.json()["token"]


def receive_json(ws, timeout=EVENT_SECONDS):
    message = ws.receive(timeout=timeout)
    assert message is not None, f"no message within {timeout}s"
    return json.loads(message)


def seconds_until_closed(ws, timeout):
    started = time.monotonic()
    while ws.connected and time.monotonic() - started < timeout:
        try:
            ws.receive(timeout=0.05)
        except simple_websocket.ConnectionClosed:
            break
    assert not ws.connected, f"still open after {timeout}s"
    return time.monotonic() - started


@pytest.fixture(scope="module")
def site(bake_into, tmp_path_factory):
    missing = [] if find_postgres_bin() else ["PostgreSQL server binaries"]
    missing += [] if shutil.which("redis-server") else ["redis-server"]
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must provide them (.ci/run installs them)")
        pytest.skip(message)
    project = bake_into("realtime").path
    workdir = tmp_path_factory.mktemp("realtime")
    with ExitStack() as cleanup:
        postgres = OwnPostgres(find_postgres_bin(), free_port())
        cleanup.callback(postgres.destroy)
        postgres.start()
        redis_server = OwnRedis(free_port())
        cleanup.callback(redis_server.destroy)
        redis_server.start()
        secret = secrets.token_urlsafe(48)

        def env(port):
            return project_env(
                FLASK_CONFIG="production",
                SECRET_KEY=secret,
                DATABASE_URL=postgres.url,
                REDIS_URL=redis_server.url,
                PUBLIC_URL=f"http://127.0.0.1:{port}",
                PORT=str(port),
                GUNICORN_HOST="127.0.0.1",
                FLASK_REGISTRATION_RATE_LIMIT="1000 per hour",
            )

        upgrade = run(project, "-m", "flask", "db", "upgrade", env=env(8000))
        assert upgrade.returncode == 0, describe(upgrade)

        def start(name):
            port = free_port()
            process = start_server(
                project, ["-m", "gunicorn", "app:create_app()"], env(port), workdir / f"{name}.log"
            )
            cleanup.callback(stop_server, process)
            wait_for_http(f"http://127.0.0.1:{port}/health", process)
            return Instance(port, process)

        yield Site(start("first"), start("second"), redis_server, start)


def test_gunicorn_serves_ws_with_its_threaded_workers(site):
    assert "Using worker: gthread" in server_log(site.first.process)


def test_hostile_handshakes_are_refused_before_any_upgrade(site):
    first = site.first
    browser, email = logged_in(first)
    cookie = cookie_of(browser)
    token = token_for(first, email)

    assert first.status_of({"Origin": first.origin}) == 401  # anonymous
    assert first.status_of({"Cookie": cookie}) == 403  # no Origin
    assert first.status_of({"Cookie": cookie, "Origin": "http://evil.example"}) == 403
    assert first.status_of({"Cookie": cookie, "Origin": site.second.origin}) == 403
    assert first.status_of({"Authorization": "Bearer " + "x" * 43}) == 401
    bearer = f"Bearer {token}"
    assert first.status_of({"Authorization": bearer, "Origin": "http://evil.example"}) == 403
    assert first.status_of({"Authorization": bearer}) == 101  # a script: no Origin needed
    assert first.status_of({"Cookie": cookie, "Origin": first.origin}) == 101


def test_a_note_made_on_the_other_instance_arrives_within_a_second(site):
    browser, email = logged_in(site.first)
    ws = browser_socket(site.first, browser)
    token = token_for(site.second, email)
    api = site.second.browser()

    started = time.monotonic()
    created = api.api("POST", "/api/v1/notes", {"title": "Hello"}, token=token)
    message = receive_json(ws)
    assert time.monotonic() - started < EVENT_SECONDS
    assert message == {"event": "note.created", "note": created.json()}

    api.api("PATCH", f"/api/v1/notes/{created.json()['id']}", {"body": "more"}, token=token)
    assert receive_json(ws)["event"] == "note.updated"
    api.api("DELETE", f"/api/v1/notes/{created.json()['id']}", token=token)
    assert receive_json(ws) == {"event": "note.deleted", "note": {"id": created.json()["id"]}}
    ws.close()


def test_a_note_added_with_the_form_of_the_other_instance_arrives_too(site):
    browser, email = logged_in(site.first)
    ws = browser_socket(site.first, browser)
    other = site.second.browser()
    assert other.log_in(email, PASSWORD).status == 302
    token = other.get("/dashboard").csrf_token()

    other.post("/notes", {"csrf_token": token, "title": "From the form"})

    assert receive_json(ws)["note"]["title"] == "From the form"
    ws.close()


def test_logging_out_closes_that_sessions_sockets_on_every_instance_within_5_seconds(site):
    browser, email = logged_in(site.first)
    here = browser_socket(site.first, browser)
    there = browser_socket(site.second, browser)
    other = site.second.browser()
    assert other.log_in(email, PASSWORD).status == 302
    other_login = browser_socket(site.second, other)

    browser.log_out()

    assert seconds_until_closed(here, SESSION_END_SECONDS) < SESSION_END_SECONDS
    assert seconds_until_closed(there, SESSION_END_SECONDS) < SESSION_END_SECONDS
    assert here.close_reason == there.close_reason == SESSION_ENDED
    # Checked in the same round as ``there``: the user's other login keeps its socket.
    assert other_login.connected
    other_login.close()


def test_a_password_change_on_one_instance_closes_the_other_browsers_socket_on_the_other(site):
    browser, email = logged_in(site.first)
    other = site.second.browser()
    assert other.log_in(email, PASSWORD).status == 302
    there = browser_socket(site.second, other)
    new_password = "a brand new horse battery staple"

    changed = browser.post(
        "/account/password",
        {
            "csrf_token": browser.get("/account/password").csrf_token(),
            "current_password": PASSWORD,
            "password": new_password,
            "confirm_password": new_password,
        },
    )

    assert changed.status == 302, changed.text
    assert seconds_until_closed(there, SESSION_END_SECONDS) < SESSION_END_SECONDS
    assert there.close_reason == SESSION_ENDED
    fresh = browser_socket(site.second, browser)  # this browser's new cookie works anywhere
    fresh.send("ping")
    assert receive_json(fresh) == {"event": "pong"}
    fresh.close()


def test_a_revoked_tokens_socket_closes_within_5_seconds(site):
    _, email = logged_in(site.first)
    token = token_for(site.first, email)
    ws = site.first.socket({"Authorization": f"Bearer {token}"})

    site.second.browser().api("DELETE", "/api/v1/tokens", token=token)

    assert seconds_until_closed(ws, SESSION_END_SECONDS) < SESSION_END_SECONDS
    assert ws.close_reason == SESSION_ENDED


def test_an_oversized_frame_closes_that_socket_and_the_app_serves_on(site):
    browser, _ = logged_in(site.first)
    ws = browser_socket(site.first, browser)
    bystander = browser_socket(site.first, browser)

    ws.send("€" * 1366)  # 1366 characters, 4098 bytes

    seconds_until_closed(ws, 5)
    assert ws.close_reason == 1009
    bystander.send("ping")
    assert receive_json(bystander) == {"event": "pong"}
    assert site.first.browser().get("/health").status == 200
    bystander.close()


def test_one_user_may_hold_20_sockets_across_instances_and_no_more(site):
    browser, email = logged_in(site.first)
    other = site.second.browser()
    assert other.log_in(email, PASSWORD).status == 302
    sockets = [browser_socket(site.first, browser) for _ in range(10)]
    sockets += [browser_socket(site.second, other) for _ in range(10)]

    assert all(ws.connected for ws in sockets)
    assert site.first.status_of({"Cookie": cookie_of(browser), "Origin": site.first.origin}) == 429
    assert site.second.status_of({"Cookie": cookie_of(other), "Origin": site.second.origin}) == 429
    for ws in sockets:
        ws.close()


def test_with_100_sockets_open_pages_still_answer_within_a_second(site):
    sockets, browsers = [], []
    for _ in range(5):  # five users, twenty sockets each (the per-user cap)
        browser, _ = logged_in(site.first)
        browsers.append(browser)
        sockets += [browser_socket(site.first, browser) for _ in range(20)]
    assert sum(ws.connected for ws in sockets) == 100

    timings = []
    for _ in range(10):
        for path in ("/health", "/dashboard"):
            started = time.monotonic()
            response = browsers[0].get(path)
            timings.append((path, response.status, time.monotonic() - started))

    assert all(status == 200 for _, status, _ in timings), timings
    assert max(seconds for _, _, seconds in timings) < PAGE_SECONDS, timings
    for ws in sockets:
        ws.close()


def test_redis_restarted_under_open_sockets_closes_them_then_events_flow_again(site):
    browser, email = logged_in(site.first)
    ws = browser_socket(site.first, browser)
    token = token_for(site.first, email)

    site.redis.stop()
    seconds_until_closed(ws, 10)
    assert ws.close_reason == 1012  # "service restart": reconnect, then catch up
    assert site.first.status_of({"Authorization": f"Bearer {token}"}) == 503

    site.redis.start()
    deadline = time.monotonic() + 20
    while site.first.status_of({"Authorization": f"Bearer {token}"}) != 101:
        assert time.monotonic() < deadline, "no handshake accepted after Redis came back"
        time.sleep(0.5)
    # Redis restarted empty, as its test server keeps nothing: log in again.
    browser, email = logged_in(site.first)
    fresh = browser_socket(site.first, browser)
    token = token_for(site.second, email)
    site.second.browser().api("POST", "/api/v1/notes", {"title": "After"}, token=token)
    assert receive_json(fresh, timeout=5)["note"]["title"] == "After"
    fresh.close()


def test_stopping_an_instance_closes_its_sockets_at_once_with_1001(site):
    # A client that never answers the close frame nor closes its end (a
    # phone that lost its network): the server must not wait for it.
    third = site.start("third")
    browser, _ = logged_in(third)
    with silent_socket(third, cookie_of(browser)) as silent:
        started = time.monotonic()
        stop_server(third.process)

        took = time.monotonic() - started
        # Not gunicorn's 30 s graceful timeout; the log says what the server waited for.
        assert took < 10, f"stopping took {took:.1f} s:\n" + server_log(third.process)
        assert close_code_of(silent) == 1001


def silent_socket(instance, cookie):
    """A handshake answered with 101 on a raw socket, which then never reads nor writes."""
    raw = socket.create_connection(("127.0.0.1", instance.port), timeout=10)
    headers = {**HANDSHAKE, "Host": f"127.0.0.1:{instance.port}"}
    headers.update({"Cookie": cookie, "Origin": instance.origin})
    lines = ["GET /ws HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return raw


def close_code_of(raw):
    """The code of the close frame the server sent on ``raw`` (frames: RFC 6455 5.2)."""
    data = b""
    while chunk := raw.recv(4096):
        data += chunk
    assert data[:1] == b"\x88", data  # FIN + close; a server's frames are not masked
    return int.from_bytes(data[2:4], "big")

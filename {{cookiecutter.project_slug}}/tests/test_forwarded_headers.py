"""X-Forwarded-For and -Proto are believed only from a peer in FORWARDED_ALLOW_IPS.

Otherwise a client reaching gunicorn directly could pick a new address for
each failed login, or claim HTTPS over plain HTTP (app/web/proxy.py).
"""

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import request

import config
from app.auth.guard import public
from app.web import proxy
from config import ConfigError, load_settings
from tests.conftest import CSRF_TOKEN, EMAIL
from tests.processes import free_port

OUTSIDER = "198.51.100.20"
WRONG = "not the password"


def who_am_i(app):
    """A route answering with the client address and scheme the app believes."""
    app.add_url_rule("/whoami", "whoami", public(lambda: f"{request.remote_addr} {request.scheme}"))


def ask(app, peer, headers):
    return app.test_client().get("/whoami", headers=headers, environ_base={"REMOTE_ADDR": peer})


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def behind_proxy(app, monkeypatch, allow):
    """Put the middleware ``create_app`` installs in production on ``app``, allowing ``allow``."""
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_HOPS", 1)
    monkeypatch.setitem(app.config, "FORWARDED_ALLOW_IPS", allow)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # put back afterwards
    proxy.init_app(app)


@pytest.fixture
def behind_proxies(app, monkeypatch):
    """The testing app behind one proxy, allowed from 10.0.0.0/8 and 192.0.2.7."""
    behind_proxy(app, monkeypatch, "10.0.0.0/8, 192.0.2.7")
    who_am_i(app)
    return app


@pytest.mark.parametrize("peer", ["10.0.0.2", "10.255.1.1", "192.0.2.7"])
def test_an_allowed_peer_is_believed(behind_proxies, peer):
    assert ask(behind_proxies, peer, FORWARDED).text == "203.0.113.9 https"


@pytest.mark.parametrize("peer", [OUTSIDER, "192.0.2.8", "11.0.0.1", "::1", "not-an-address"])
def test_any_other_peer_is_not(behind_proxies, peer):
    assert ask(behind_proxies, peer, FORWARDED).text == f"{peer} http"


def test_a_unix_socket_is_allowed_as_gunicorn_allows_it(behind_proxies):
    """A unix socket has no peer address: only local processes with access to it connect."""
    assert ask(behind_proxies, "", FORWARDED).text == "203.0.113.9 https"


def test_a_star_allows_every_peer(app, monkeypatch):
    behind_proxy(app, monkeypatch, "*")
    who_am_i(app)
    assert ask(app, OUTSIDER, FORWARDED).text == "203.0.113.9 https"


def test_a_new_forwarded_address_per_attempt_does_not_reset_the_count(behind_proxies, user):
    behind_proxies.config["LOGIN_FAILURE_RATE_LIMIT"] = "3 per minute"
    browser = behind_proxies.test_client()
    browser.environ_base["REMOTE_ADDR"] = OUTSIDER
    token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "email": EMAIL, "password": WRONG}

    statuses = [
        browser.post(
            "/auth/login", data=data, headers={"X-Forwarded-For": f"203.0.113.{attempt}"}
        ).status_code
        for attempt in range(1, 5)
    ]

    assert statuses == [200, 200, 200, 429]


def test_no_hsts_over_plain_http_from_an_outside_peer(production_app):
    response = production_app.test_client().get(
        "/",
        base_url="http://localhost",
        headers={"X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": OUTSIDER},
    )
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_an_allowed_proxy_says_https(production_app):
    response = production_app.test_client().get(
        "/",
        base_url="http://localhost",
        headers={"X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def production_settings(monkeypatch, allow):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-that-is-long-enough-to-be-accepted")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/0")
    monkeypatch.setenv("MAIL_URL", "smtp://mail.example:25")
{%- if cookiecutter.use_uploads %}
    monkeypatch.setenv("STORAGE_URL", "s3://files")
{%- endif %}
    if allow is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", allow)
    return load_settings("production")


def test_the_app_reads_gunicorns_variable_with_gunicorns_default(monkeypatch):
    assert production_settings(monkeypatch, None)["FORWARDED_ALLOW_IPS"] == "127.0.0.1"
    assert production_settings(monkeypatch, "*")["FORWARDED_ALLOW_IPS"] == "*"
    allow = "172.16.0.0/12,::1"
    assert production_settings(monkeypatch, allow)["FORWARDED_ALLOW_IPS"] == allow


@pytest.mark.parametrize("allow", ["caddy", "10.0.0.1/8", "10.0.0.0/8;10.1.1.1", ","])
def test_a_list_gunicorn_would_refuse_stops_the_app(monkeypatch, allow):
    with pytest.raises(ConfigError) as error:
        production_settings(monkeypatch, allow)
    assert "FORWARDED_ALLOW_IPS must be addresses or CIDR networks" in str(error.value)
    assert json.dumps(allow) not in str(error.value)


def get_from(source, port, path, headers):
    """GET ``path`` from gunicorn at 127.0.0.1:``port``, the connection made from ``source``."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


@pytest.mark.slow  # starts gunicorn
def test_gunicorn_and_the_app_believe_the_same_peers(tmp_path):
    """Served by gunicorn, with its default FORWARDED_ALLOW_IPS (127.0.0.1): a client at
    127.0.0.2 claiming HTTPS gets no HSTS; the same claim from 127.0.0.1 does."""
    port = free_port()
    environment = {
        **os.environ,
        "FLASK_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "FLASK_TRUSTED_PROXY_HOPS": "1",
        "FLASK_HSTS_SECONDS": "60",
        "GUNICORN_BIND": f"0.0.0.0:{port}",
        "WEB_CONCURRENCY": "1",
    }
    environment.pop("FORWARDED_ALLOW_IPS", None)
    server = subprocess.Popen(  # noqa: S603  (gunicorn from this environment)
        [str(Path(sys.executable).with_name("gunicorn")), "app:create_app()"],
        cwd=config.PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # importing the app is slow on a busy machine
        while True:
            try:
                get_from("127.0.0.1", port, "/health", {})
                break
            except OSError:
                assert server.poll() is None, "gunicorn stopped"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        claim = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

        outside = get_from("127.0.0.2", port, "/health", claim)
        allowed = get_from("127.0.0.1", port, "/health", claim)

        assert outside.getheader("Strict-Transport-Security") is None
        assert allowed.getheader("Strict-Transport-Security") == "max-age=60"
    finally:
        server.terminate()
        server.wait(timeout=60)

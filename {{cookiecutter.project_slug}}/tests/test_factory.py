"""The application factory: each step leaves the app with what it needs."""

import logging
from pathlib import Path

import fakeredis
import pytest
import redis
from cachelib.file import FileSystemCache
from flask_session.cachelib import CacheLibSessionInterface
from flask_session.redis import RedisSessionInterface

from app import create_app
from app.extensions import redis_store
from config import PROJECT_ROOT, ConfigError

# The app's before_request hooks, in the order they must run: refuse malformed
# requests, meet a session store outage, check CSRF (which reads the body and
# the session), count rate limits, load the user, then guard the page.
REQUEST_HOOKS = [
    "reject_oversized_body",
    "reject_undecodable_query_string",
    "raise_session_outage",
    "csrf_protect",
    "_check_request_limit",
    "ignore_malformed_remember_cookie",
    "load_logged_in_user",
    "require_login",
]


def test_testing_app_is_in_testing_mode(app):
    assert app.testing
    assert not app.debug


def test_blueprints_are_registered(app):
    assert {"auth", "main", "health"} <= app.blueprints.keys()


def test_extensions_are_bound(app):
    assert {"sqlalchemy", "migrate", "csrf", "redis"} <= app.extensions.keys()
    assert app.login_manager is not None


def test_testing_sessions_are_kept_in_the_apps_redis(app):
    assert isinstance(app.session_interface, RedisSessionInterface)
    assert app.session_interface.client is app.extensions["redis"].client
    assert app.session_interface.key_prefix == "session:"


def test_testing_without_test_redis_url_uses_an_in_process_redis(monkeypatch):
    monkeypatch.delenv("TEST_REDIS_URL", raising=False)
    app = create_app("testing")
    assert isinstance(app.extensions["redis"].client, fakeredis.FakeRedis)


def test_testing_with_test_redis_url_uses_that_server_with_short_timeouts(monkeypatch):
    monkeypatch.setenv("TEST_REDIS_URL", "redis://redis.invalid:6390/3")
    client = create_app("testing").extensions["redis"].client
    assert isinstance(client, redis.Redis)
    assert not isinstance(client, fakeredis.FakeRedis)
    options = client.connection_pool.connection_kwargs
    assert (options["host"], options["port"], options["db"]) == ("redis.invalid", 6390, 3)
    assert options["socket_connect_timeout"] == 1.0
    assert options["socket_timeout"] == 1.0


def test_each_app_keeps_its_own_redis_client(monkeypatch):
    monkeypatch.delenv("TEST_REDIS_URL", raising=False)
    first = create_app("testing")
    second = create_app("testing")
    assert first.extensions["redis"].client is not second.extensions["redis"].client
    with first.app_context():
        assert redis_store.client is first.extensions["redis"].client


def test_development_without_redis_keeps_sessions_in_files(development_app, tmp_path):
    assert development_app.extensions["redis"].client is None
    assert isinstance(development_app.session_interface, CacheLibSessionInterface)
    assert isinstance(development_app.config["SESSION_CACHELIB"], FileSystemCache)
    assert (tmp_path / "sessions").is_dir()


def test_development_without_redis_says_where_sessions_go(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr("app.INSTANCE_PATH", tmp_path)
    with caplog.at_level(logging.INFO, logger="app"):
        create_app("development")
    assert f"REDIS_URL is not set: sessions are kept in files under {tmp_path / 'sessions'}" in (
        caplog.messages
    )


def test_development_file_sessions_work(development_app, tmp_path):
    client = development_app.test_client()
    assert client.get("/auth/login").status_code == 200
    assert client.get_cookie("session") is not None
    assert any((tmp_path / "sessions").iterdir())


def test_development_is_not_in_debug_mode_unless_asked(development_app):
    assert not development_app.debug


def test_flask_debug_turns_on_debug_mode_in_development(monkeypatch, tmp_path):
    monkeypatch.setattr("app.INSTANCE_PATH", tmp_path)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app("development").debug


def test_a_gunicorn_worker_with_bad_settings_stops_gunicorn(monkeypatch, capsys):
    """Exit status 3 is gunicorn's "worker failed to boot": it stops instead of respawning."""
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")
    with pytest.raises(SystemExit) as stopped:
        create_app("production")
    assert stopped.value.code == 3
    assert "SECRET_KEY is not set" in capsys.readouterr().err


def test_outside_gunicorn_bad_settings_raise_the_config_error(monkeypatch):
    monkeypatch.setenv("SERVER_SOFTWARE", "waitress")
    with pytest.raises(ConfigError):
        create_app("production")


def test_the_instance_folder_is_in_the_project_root(app):
    assert Path(app.instance_path) == PROJECT_ROOT / "instance"


def test_the_request_hooks_run_in_the_declared_order(app, client, monkeypatch):
    ran = []

    def recording(hook):
        def record():
            ran.append(hook.__name__)
            return hook()

        return record

    hooks = app.before_request_funcs[None]
    monkeypatch.setitem(app.before_request_funcs, None, [recording(hook) for hook in hooks])
    client.get("/dashboard")  # anonymous: every hook runs, the last one redirects
    assert ran == REQUEST_HOOKS


def test_no_app_module_edits_the_request_hooks_directly():
    """Hooks are added with ``app.before_request`` in the factory's order, never inserted."""
    editing = [
        path.relative_to(PROJECT_ROOT)
        for path in sorted((PROJECT_ROOT / "app").rglob("*.py"))
        if "before_request_funcs" in path.read_text(encoding="utf-8")
    ]
    assert editing == []

"""gunicorn.conf.py: every server setting comes from the environment."""

import logging.config
import os
import runpy
from types import SimpleNamespace

import pytest

import config

GUNICORN_VARIABLES = (
    "PORT",
    "GUNICORN_HOST",
    "GUNICORN_BIND",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_LOG_LEVEL",
    "GUNICORN_ACCESS_LOG",
)


@pytest.fixture
def settings(monkeypatch):
    """Read gunicorn.conf.py with the given variables (and no other gunicorn ones)."""
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def read(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(config.PROJECT_ROOT / "gunicorn.conf.py"))

    return read


def test_gunicorn_settings_may_be_kept_in_dot_env(settings):
    config.DOTENV_PATH.write_text("GUNICORN_TIMEOUT=45\nWEB_CONCURRENCY=3\n", encoding="utf-8")

    values = settings(WEB_CONCURRENCY="5")

    assert values["timeout"] == 45
    assert values["workers"] == 5  # the environment wins over .env, as for the app


def test_defaults_listen_on_this_machine_only(settings):
    values = settings()

    assert values["bind"] == "127.0.0.1:8000"
    assert values["workers"] == 2
    assert values["timeout"] == 30
    assert values["forwarded_allow_ips"] == "127.0.0.1"


def test_port_and_host_make_the_bind_address(settings):
    values = settings(PORT="9123", GUNICORN_HOST="0.0.0.0")  # noqa: S104

    assert values["bind"] == "0.0.0.0:9123"


def test_gunicorn_bind_wins_over_host_and_port(settings):
    values = settings(PORT="9123", GUNICORN_BIND="unix:/run/app.sock")

    assert values["bind"] == "unix:/run/app.sock"


def test_workers_timeouts_and_trusted_proxies_come_from_the_environment(settings):
    values = settings(
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_KEEPALIVE="2",
        FORWARDED_ALLOW_IPS="10.0.0.2",
    )

    assert (values["workers"], values["threads"]) == (5, 4)
    assert (values["timeout"], values["graceful_timeout"], values["keepalive"]) == (60, 20, 2)
    assert values["forwarded_allow_ips"] == "10.0.0.2"


def test_a_setting_that_is_not_a_number_stops_gunicorn_naming_it(settings):
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        settings(WEB_CONCURRENCY="two")


def test_logs_go_to_stdout_and_leave_the_apps_logging_alone(settings):
    logging_config = settings(GUNICORN_LOG_LEVEL="warning")["logconfig_dict"]

    assert logging_config["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert logging_config["loggers"]["gunicorn.error"]["level"] == "WARNING"
    # A root handler would stop Flask adding its own, with the request-id format.
    assert logging_config["root"]["handlers"] == []


def test_the_logging_config_is_valid(settings):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(settings()["logconfig_dict"])
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in ("gunicorn.error", "gunicorn.access"):
            logging.getLogger(name).handlers.clear()


def test_access_log_is_off_because_the_app_logs_each_request(settings):
    logging_config = settings()["logconfig_dict"]

    assert logging_config["loggers"]["gunicorn.access"]["level"] == "CRITICAL"


def test_access_log_can_be_turned_on(settings):
    logging_config = settings(GUNICORN_ACCESS_LOG="on")["logconfig_dict"]

    assert logging_config["loggers"]["gunicorn.access"]["level"] == "INFO"


def test_no_control_socket_is_made(settings):
    # One default path under $HOME for every instance on the host: a second
    # instance would log an error, and a container's home may be read-only.
    assert settings()["control_socket_disable"] is True


def test_gunicorn_and_the_app_share_one_default_for_trusted_proxies(settings):
    """The app believes X-Forwarded-* from the same peers as gunicorn (app/web/proxy.py)."""
    assert settings()["forwarded_allow_ips"] == config.DEFAULT_FORWARDED_ALLOW_IPS
    assert config.BaseConfig.model_fields["FORWARDED_ALLOW_IPS"].default == (
        config.DEFAULT_FORWARDED_ALLOW_IPS
    )
    # Empty counts as unset, for the app and gunicorn alike.
    assert settings(FORWARDED_ALLOW_IPS="")["forwarded_allow_ips"] == "127.0.0.1"


def master(bind="127.0.0.1:8123", workers=2):
    """gunicorn's arbiter as on_starting sees it."""
    cfg = SimpleNamespace(bind=[bind], threads=128)
    return SimpleNamespace(cfg=cfg, num_workers=workers, log=logging.getLogger("test.gunicorn"))


def test_without_redis_gunicorn_serves_with_one_worker_and_says_why(settings, caplog):
    """Workers share {% if cookiecutter.use_realtime %}live updates and {% endif %}rate limits only through Redis."""
    arbiter = master(workers=4)

    settings()["on_starting"](arbiter)

    assert arbiter.num_workers == 1
    assert "REDIS_URL is not set: serving with 1 worker instead of 4" in caplog.text


def test_with_redis_gunicorn_keeps_its_workers(settings, monkeypatch, caplog):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    arbiter = master(workers=4)

    settings()["on_starting"](arbiter)

    assert arbiter.num_workers == 4
    assert "REDIS_URL" not in caplog.text


def test_development_links_point_at_gunicorns_address(settings):
    settings()["on_starting"](master(bind="127.0.0.1:8123"))

    assert config.load_settings("development")["PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_a_unix_socket_leaves_the_development_links_alone(settings):
    settings()["on_starting"](master(bind="unix:/run/app.sock"))

    assert "FLASK_RUN_PORT" not in os.environ

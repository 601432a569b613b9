"""No secret reaches a log: row values of a failing statement, link tokens in URLs.

Each test reads what an operator would: the app's request lines and error
tracebacks (JSON, as in production) and the worker's lines (RQ's and the
jobs'), and looks there for the secret the test made.
"""

import io
import json
import logging
import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask.logging import default_handler
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms
from sqlalchemy.exc import IntegrityError

import config
from app.auth import tokens
from app.auth.emails import send_confirmation, send_email_change, send_password_reset
from app.auth.guard import public
from app.auth.models import User
from app.extensions import db
from app.infrastructure import jobs
from app.infrastructure.jobs import enqueue, job_queue
from app.infrastructure.sql_errors import REDACTED, drop_row_values
from app.web.secret_urls import REDACTED as MASKED
from tests.conftest import EMAIL, links_in, path_of
from tests.inline_worker import InlineWorker

# A value only a failing row holds: if it is in the log, the row's values are.
ROW_VALUE = "row-value-never-logged@example.org"


def insert_a_row_that_fails():
    """A job (and a view): an account with no password hash, which NOT NULL refuses.

    PostgreSQL's error says ``Failing row contains (..., ROW_VALUE, ...)``.
    """
    db.session.add(User(email=ROW_VALUE))
    db.session.commit()


def insert_a_taken_address():
    """A job (and a view): a second account with ``EMAIL``, which UNIQUE refuses.

    PostgreSQL's error says ``Key (email)=(EMAIL) already exists``.
    """
    db.session.add(User(email=EMAIL, password_hash="x"))
    db.session.commit()


FAILING_STATEMENTS = [insert_a_row_that_fails, insert_a_taken_address]


def row_values(view):
    """What must not be logged when ``view`` fails."""
    return {insert_a_row_that_fails: ROW_VALUE, insert_a_taken_address: EMAIL}[view]


@pytest.fixture
def captured(app, monkeypatch):
    """Every line the app and RQ log, in the app's format: ``captured.getvalue()``."""
    stream = io.StringIO()
    monkeypatch.setattr(default_handler, "stream", stream)
    monkeypatch.setattr(app.logger, "handlers", [default_handler])
    rq_logger = logging.getLogger("rq")  # as job_commands.log_like_the_app() sets it up
    monkeypatch.setattr(rq_logger, "handlers", [default_handler])
    monkeypatch.setattr(rq_logger, "propagate", False)
    monkeypatch.setattr(rq_logger, "level", logging.INFO)
    return stream


@pytest.mark.parametrize("failing", FAILING_STATEMENTS, ids=["failing-row", "duplicate-key"])
def test_a_failing_statement_in_a_request_logs_no_row_values(
    production_app, production_tables, monkeypatch, failing
):
    """On PostgreSQL (TEST_DATABASE_URL) the error quotes the row; on SQLite it names the
    constraint. Either way the JSON log has the error and its traceback, not the values."""
    production_app.add_url_rule("/fail", "fail", public(failing))
    monkeypatch.setattr(production_app.logger, "handlers", [default_handler])
    stream = io.StringIO()

    response = production_app.test_client().get("/fail", errors_stream=stream)

    assert response.status_code == 500
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    error = next(entry for entry in entries if entry["level"] == "ERROR")
    assert "IntegrityError" in error["traceback"]
    assert row_values(failing) not in stream.getvalue()


@pytest.mark.parametrize("failing", FAILING_STATEMENTS, ids=["failing-row", "duplicate-key"])
def test_a_failing_statement_in_a_job_logs_no_row_values(app, user, captured, failing):
    """RQ formats a failed job's traceback itself, as text: the values must not be in it."""
    app.config.update(JOBS_RUN_AT_ONCE=False, REDIS_URL="redis://emulated:6379/0")
    redis_client = app.extensions["redis"].client
    with app.app_context():
        enqueue(failing)
        queue = job_queue()
    InlineWorker(app, [queue], connection=redis_client, serializer=jobs.SERIALIZER).work(burst=True)

    text = captured.getvalue()
    assert "IntegrityError" in text  # the failure is logged, with its traceback
    assert row_values(failing) not in text


class DriverError(Exception):
    """A driver's error with psycopg's ``diag`` (what PostgreSQL said, field by field)."""

    def __init__(self, message, detail):
        super().__init__(message)
        self.diag = SimpleNamespace(message_detail=detail, message_hint=None)


def test_the_row_detail_is_masked_in_the_drivers_error_and_in_sqlalchemys():
    """What the hook does on PostgreSQL, checked on any database."""
    detail = f"Key (email)=({ROW_VALUE}) already exists."
    original = DriverError(f"duplicate key value\nDETAIL:  {detail}", detail)
    wrapped = IntegrityError("INSERT INTO users ...", None, original, hide_parameters=True)

    drop_row_values(SimpleNamespace(original_exception=original, sqlalchemy_exception=wrapped))

    assert str(original) == f"duplicate key value\nDETAIL:  {REDACTED}"
    assert ROW_VALUE not in str(wrapped)
    assert "duplicate key value" in str(wrapped)


# Link tokens in URLs


def link_tokens(app, user_id):
    """A token of each kind, for ``user_id``'s account: ``{path prefix: token}``."""
    with app.app_context():
        account = db.session.get(User, user_id)
        return {
            "/auth/reset/": tokens.make_password_reset_token(account),
            "/auth/confirm/": tokens.make_confirmation_token(account),
            "/account/email/": tokens.make_email_change_token(account, "new@example.org"),
        }


def test_link_tokens_are_masked_in_the_request_log(production_app, production_tables):
    """Follow each link, post to it (400 without a CSRF token; 405 where only GET is
    allowed): the JSON request lines name the path with the token masked."""
    with production_app.app_context():
        user_id = User.find_by_email(EMAIL).id
    links = link_tokens(production_app, user_id)
    client = production_app.test_client()
    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(production_app.logger, "handlers", [default_handler])
        for prefix, token in links.items():
            client.get(prefix + token, errors_stream=stream)
            client.post(prefix + token, errors_stream=stream)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    logged = [
        (entry["method"], entry["path"], entry["status"]) for entry in lines if "path" in entry
    ]
    assert len(logged) == 6
    assert {path for _method, path, _status in logged} == {prefix + MASKED for prefix in links}
    assert ("POST", "/auth/confirm/" + MASKED, 405) in logged
    for token in links.values():
        assert token not in stream.getvalue()


def test_a_page_reached_by_a_link_sends_no_referrer(app, client, user):
    """Else the browser would send the link on, as the Referer of the form it posts."""
    path = "/auth/reset/" + link_tokens(app, user.id)["/auth/reset/"]
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/auth/reset").headers["Referrer-Policy"] != "no-referrer"


def gunicorn_settings():
    """gunicorn.conf.py as gunicorn reads it."""
    return runpy.run_path(str(config.PROJECT_ROOT / "gunicorn.conf.py"))


def served_environ(app, client, path, **options):
    """The WSGI environ of a request as the app left it (the test client hands back a copy)."""
    seen, wsgi_app = [], app.wsgi_app

    def recording(environ, start_response):
        seen.append(environ)
        return wsgi_app(environ, start_response)

    app.wsgi_app = recording
    try:
        client.get(path, environ_overrides={"RAW_URI": path}, **options)
    finally:
        app.wsgi_app = wsgi_app
    return seen[0]


def test_link_tokens_are_masked_in_gunicorns_access_log(app, client, user):
    """GUNICORN_ACCESS_LOG=on: the request line, the referrer and any field a custom
    format names (here the raw URI from the environ) carry no token."""
    settings = gunicorn_settings()
    cfg = Config()
    cfg.set("logger_class", settings["logger_class"])
    cfg.set("access_log_format", '"%(r)s" %(U)s "%(f)s" %({raw_uri}e)s')
    logger = cfg.logger_class(cfg)
    token = link_tokens(app, user.id)["/auth/reset/"]
    path = "/auth/reset/" + token
    referrer = "https://example.com" + path
    environ = served_environ(app, client, path, headers={"Referer": referrer})
    served = SimpleNamespace(status="200 OK", headers=[], sent=100)

    atoms = logger.atoms(served, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    line = cfg.access_log_format % SafeAtoms(atoms)

    assert token not in line
    masked = "/auth/reset/" + MASKED
    assert line == f'"GET {masked} HTTP/1.1" {masked} "https://example.com{masked}" {masked}'


def test_a_request_without_secret_parts_is_logged_by_gunicorn_as_it_came(app, client):
    cfg = Config()
    cfg.set("logger_class", gunicorn_settings()["logger_class"])
    logger = cfg.logger_class(cfg)
    environ = client.get(
        "/auth/login", environ_overrides={"RAW_URI": "/auth/login"}
    ).request.environ
    served = SimpleNamespace(status="200 OK", headers=[], sent=100)
    atoms = logger.atoms(served, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    assert atoms["r"] == "GET /auth/login HTTP/1.1"


@pytest.mark.parametrize("prefix", ["/auth/reset/", "/auth/confirm/", "/account/email/"])
def test_the_worker_logs_no_link_token(app, user, captured, outbox, prefix):
    """RQ's own lines (job started, done) and the mail code's: no link, no token."""
    app.config.update(JOBS_RUN_AT_ONCE=False, REDIS_URL="redis://emulated:6379/0")
    redis_client = app.extensions["redis"].client
    job, *arguments = {
        "/auth/reset/": (send_password_reset, EMAIL),
        "/auth/confirm/": (send_confirmation, user.id),
        "/account/email/": (send_email_change, user.id, "new@example.org"),
    }[prefix]
    with app.app_context():
        enqueue(job, *arguments)
        queue = job_queue()
    InlineWorker(app, [queue], connection=redis_client, serializer=jobs.SERIALIZER).work(burst=True)

    (message,) = outbox
    (link,) = [link for link in links_in(message) if prefix in link]
    token = path_of(link, app.config["PUBLIC_URL"]).removeprefix(prefix)
    text = captured.getvalue()
    assert "Job OK" in text  # RQ's lines were captured
    assert token not in text

"""No secret reaches a log: row values of a failing statement, link tokens in URLs.

Each test reads what an operator would: the app's request lines and error
tracebacks (JSON, as in production) and the worker's lines (RQ's and the
jobs'), and looks there for the secret the test made.
"""

import io
import json
import logging
from types import SimpleNamespace

import pytest
from flask.logging import default_handler
from rq import SimpleWorker
from sqlalchemy.exc import IntegrityError

from app.auth.accounts import create_account
from app.auth.guard import public
from app.auth.models import User
from app.compat.rq import AppContextJobs
from app.extensions import db
from app.infrastructure import jobs
from app.infrastructure.jobs import enqueue, job_queue
from app.infrastructure.sql_errors import REDACTED, drop_row_values
from tests.conftest import EMAIL, PASSWORD

# A value only a failing row holds: if it is in the log, the row's values are.
ROW_VALUE = "row-value-never-logged@example.org"


class InlineWorker(AppContextJobs, SimpleWorker):
    """The app's job mixin on RQ's worker that runs jobs in its own process."""

    def __init__(self, app, *args, **kwargs):
        self.app = app
        super().__init__(*args, **kwargs)


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


@pytest.fixture
def production_tables(production_app):
    """The production app's tables, with ``EMAIL``'s account, dropped again afterwards."""
    with production_app.app_context():
        db.drop_all()
        db.create_all()
        create_account(EMAIL, PASSWORD)
    yield
    with production_app.app_context():
        db.session.remove()
        db.drop_all()


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

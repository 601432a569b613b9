"""Database errors without row values, so that a failing statement logs none.

SQLAlchemy's ``hide_parameters`` (config.py) keeps a statement's bound
values out of its error, but not what the database itself says about the
row: PostgreSQL's DETAIL line repeats them (``Key (email)=(ada@example.com)
already exists``, ``Failing row contains (...)`` with every value of the row), and
it is part of the driver's message, so every log line and traceback that
names the error would carry it: the app's error handler, Flask's and RQ's
(which formats the traceback itself, as text).

So the message is cleaned where the error is made, once, before anything
can log it: the engine's ``handle_error`` hook replaces the detail in both
the driver's exception and SQLAlchemy's with ``[REDACTED]``. The error keeps
its type, SQLSTATE, constraint and statement, which is what finding the
bug needs; the values stay in the database. SQLite's messages name the
constraint only (``UNIQUE constraint failed: users.email``): nothing to clean.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

REDACTED = "[REDACTED]"


def hide_row_values(engine: Engine) -> None:
    """Clean every database error of ``engine`` (and its variants) of row values."""
    event.listen(engine, "handle_error", drop_row_values)


def row_details(error: BaseException) -> list[str]:
    """What the database said about the row: psycopg's DETAIL (and HINT), when any."""
    diag = getattr(error, "diag", None)
    details = [getattr(diag, name, None) for name in ("message_detail", "message_hint")]
    return [detail for detail in details if detail]


def without(details: list[str], args: tuple[Any, ...]) -> tuple[Any, ...]:
    """An exception's ``args`` with each of ``details`` masked in its text."""
    cleaned = []
    for arg in args:
        if isinstance(arg, str):
            for detail in details:
                arg = arg.replace(detail, REDACTED)
        cleaned.append(arg)
    return tuple(cleaned)


def drop_row_values(context: ExceptionContext) -> None:
    """A ``handle_error`` hook: mask the row details in the error about to be raised."""
    original = context.original_exception
    details = row_details(original)
    if not details:
        return
    original.args = without(details, original.args)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        wrapped.args = without(details, wrapped.args)

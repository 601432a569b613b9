"""The database session: requests that only read run without a transaction.

A read in a transaction costs two extra round trips, ``BEGIN`` and
``ROLLBACK``, and buys nothing: under PostgreSQL's default READ COMMITTED
each statement sees its own snapshot either way. So, as Django does by
default, GET, HEAD and OPTIONS requests run each statement in autocommit,
while POST, PUT, PATCH and DELETE keep one transaction per request, so their
writes are all-or-nothing and a failure rolls them back.

A write in a GET view (none of the shipped views writes) would commit
each statement as it runs: keep writes that belong together in unsafe
methods.
"""

from typing import Any

from flask import has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection, Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestSession(Session):
    """Flask-SQLAlchemy's session, bound in autocommit during read-only requests."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Engine | Connection:
        """The engine to use; its autocommit variant while serving a read-only request."""
        bind = super().get_bind(*args, **kwargs)
        if isinstance(bind, Engine) and is_read_only_request():
            return autocommit_variant(bind)
        return bind


def is_read_only_request() -> bool:
    """True while serving a GET, HEAD or OPTIONS request."""
    return has_request_context() and request.method in READ_ONLY_METHODS


def autocommit_variant(engine: Engine) -> Engine:
    """``engine`` with autocommit, sharing its pool (made once per engine)."""
    variant = engine.__dict__.get("autocommit_variant")
    if variant is None:
        variant = engine.execution_options(isolation_level="AUTOCOMMIT")
        engine.__dict__["autocommit_variant"] = variant
    return variant

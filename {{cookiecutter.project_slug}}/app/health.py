"""``GET /health``: is the app able to serve? For load balancers and uptime checks.

Each check has a short timeout (set on the engine and the Redis client), so
a dead dependency makes this answer 503 quickly instead of hanging. It never
uses the session, so a browser's session cookie changes nothing while Redis
is down: the answer still names the failing check.
"""

from typing import Any

from flask import Blueprint, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from app.auth.guard import public
from app.extensions import db, redis_store
from app.infrastructure.sessions import OUTAGE_KEY as SESSION_STORE_OUTAGE
from app.infrastructure.sessions import without_session

bp = Blueprint("health", __name__)

OK = "ok"
ERROR = "error"
NOT_CONFIGURED = "not configured"


def check_database() -> str:
    """Run ``SELECT 1`` in autocommit: one round trip, with no transaction to open or end."""
    try:
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        current_app.logger.error("Health check: database unreachable: %s", error)
        return ERROR
    return OK


def check_redis() -> str:
    """Send ``PING`` to Redis (not configured in development without REDIS_URL)."""
    if redis_store.client is None:
        return NOT_CONFIGURED
    if request.environ.get(SESSION_STORE_OUTAGE):  # met while loading the session: no 2nd wait
        return ERROR
    try:
        redis_store.ping()
    except Exception as error:  # redis raises many kinds of error; any means "down"
        current_app.logger.error("Health check: Redis unreachable: %s", error)
        return ERROR
    return OK


@bp.get("/health")
@public
@without_session
def health() -> tuple[dict[str, Any], int]:
    """200 with every check "ok", else 503 naming the failing check."""
    checks = {"database": check_database(), "redis": check_redis()}
    healthy = ERROR not in checks.values()
    return {"status": OK if healthy else ERROR, "checks": checks}, 200 if healthy else 503

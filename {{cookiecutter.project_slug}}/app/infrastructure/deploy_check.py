"""``python manage.py check-deploy``: is this configuration fit for production?

It checks the settings, that the database is at the newest migration, that
Redis answers, and that mail can go out: ``PUBLIC_URL`` over HTTPS, and an
SMTP server at ``MAIL_URL`` that accepts a connection (and the login, when
the URL has credentials).

Run it where the app will run (same environment, same ``.env``) before
sending traffic. Each problem is printed on a line of its own, and the
command exits with status 1 when there is any, so a deploy script or CI
job can stop on it.
"""

from collections.abc import Mapping
from typing import Any

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import text

from app.infrastructure.mail import server_problem
from app.infrastructure.redis_client import redis_store
from config_checks import MIN_SECRET_KEY_LENGTH, is_weak_secret

# (config key, the value production needs) for every cookie flag.
COOKIE_FLAGS = (
    ("SESSION_COOKIE_SECURE", True),
    ("SESSION_COOKIE_HTTPONLY", True),
    ("REMEMBER_COOKIE_SECURE", True),
    ("REMEMBER_COOKIE_HTTPONLY", True),
)
SAMESITE_VALUES = ("Lax", "Strict")
# Sessions read and slide their expiry with GETEX (app/compat/flask_session.py), Redis 6.2+.
GETEX_PROBE_KEY = "deploy-check:getex"


def settings_problems(config: Mapping[str, Any], debug: bool) -> list[str]:
    """The environment, secret, debug mode, cookie flags and rate-limit storage."""
    problems = []
    if config["CONFIG_NAME"] != "production":
        problems.append(f"FLASK_CONFIG is {config['CONFIG_NAME']!r}, not 'production'")
    if is_weak_secret(config["SECRET_KEY"]):
        problems.append(
            f"SECRET_KEY is a placeholder or shorter than {MIN_SECRET_KEY_LENGTH} characters"
        )
    if debug:
        problems.append("debug mode is on (unset FLASK_DEBUG)")
    for key, needed in COOKIE_FLAGS:
        if config[key] is not needed:
            problems.append(f"{key} must be {needed}")
    for key in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if config[key] not in SAMESITE_VALUES:
            problems.append(f"{key} must be Lax or Strict")
    if config["RATE_LIMIT_STORAGE_URI"] == "memory://":
        problems.append(
            "rate limits are counted in memory, per process (unset RATE_LIMIT_STORAGE_URI)"
        )
    return problems


def database_problems() -> list[str]:
    """Is the database reachable, and is its schema at the newest migration?"""
    # Flask-SQLAlchemy and Flask-Migrate keep themselves in app.extensions: this
    # module, below the extension objects (pyproject.toml), imports neither.
    db = current_app.extensions["sqlalchemy"]
    migrate = current_app.extensions["migrate"]
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # any failure to connect means "unreachable"
        return [f"the database is unreachable ({type(error).__name__})"]
    config = migrate.migrate.get_config(migrate.directory)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if current != heads:
        found = ", ".join(sorted(current)) or "none"
        return [
            f"the database is not at the newest migration ({found}, expected "
            f"{', '.join(sorted(heads))}): run flask db upgrade"
        ]
    return []


def redis_problems() -> list[str]:
    """Is Redis configured and answering?"""
    if redis_store.client is None:
        return ["REDIS_URL is not set: sessions would be kept in local files"]
    try:
        redis_store.ping()
    except Exception as error:  # redis raises many kinds of error; any means "down"
        return [f"Redis is unreachable ({type(error).__name__})"]
    try:
        redis_store.client.getex(GETEX_PROBE_KEY, ex=1)  # a key that does not exist: no effect
    except redis.exceptions.ResponseError:
        return ["Redis has no GETEX (it is older than 6.2), which sessions need"]
    return []


def mail_and_job_problems(config: Mapping[str, Any]) -> list[str]:
    """Links in mail over HTTPS, mail sent from jobs, and a mail server that accepts us."""
    problems = []
    if not config["PUBLIC_URL"].startswith("https://"):
        problems.append("PUBLIC_URL must start with https:// (links in mail are built from it)")
    if config["JOBS_RUN_AT_ONCE"]:
        problems.append("JOBS_RUN_AT_ONCE is on: mail would be sent inside requests")
    problem = server_problem()
    return problems + ([problem] if problem else [])


def find_deploy_problems(app: Flask) -> list[str]:
    """Every reason this app is not ready for production, as sentences."""
    return (
        settings_problems(app.config, app.debug)
        + database_problems()
        + redis_problems()
        + mail_and_job_problems(app.config)
    )

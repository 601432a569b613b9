"""The application factory.

``create_app`` is a list of small named steps, each a function with one
job, so a reader can see the whole shape of the app on one screen and find
each concern in the module whose name says it.
"""

import os
import sys

from flask import Flask

from config import PROJECT_ROOT, ConfigError, load_settings

INSTANCE_PATH = PROJECT_ROOT / "instance"
MIGRATIONS_PATH = PROJECT_ROOT / "migrations"
# gunicorn stops (instead of starting the worker again) when one exits with this.
GUNICORN_WORKER_BOOT_ERROR = 3


def create_app(config_name=None):
    """Create the app for ``config_name`` ("development", "testing",
    "production"), or for ``FLASK_CONFIG`` when it is None.

    Raises ``config.ConfigError`` (printed as one line) when the settings
    are incomplete or unsafe, e.g. production without a strong SECRET_KEY.
    """
    settings = load_settings_or_stop_gunicorn(config_name)
    app = Flask(__name__, instance_path=str(INSTANCE_PATH))
    app.config.update(settings)

    configure_logging(app)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_settings_or_stop_gunicorn(config_name):
    """Load the settings; inside a gunicorn worker, a bad one stops gunicorn.

    ``gunicorn.conf.py`` checks the settings before any worker starts. When
    gunicorn runs without that file (another ``-c``, another directory), the
    check happens here, in each worker, and a worker that exits with the
    usual status 1 is started again forever; status 3 makes gunicorn stop.
    """
    try:
        return load_settings(config_name)
    except ConfigError as error:
        if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
            raise
        print(error, file=sys.stderr, flush=True)
        raise SystemExit(GUNICORN_WORKER_BOOT_ERROR) from None


def configure_logging(app):
    """Text or JSON log lines, each with the request id; one line per request."""
    from app.logs import configure_logging

    configure_logging(app)


def register_extensions(app):
    """Bind each extension object from ``app.extensions`` to this app."""
    from app import rate_limits
    from app.auth import accounts  # noqa: F401  (registers the user loader)
    from app.database import replace_closed_connections
    from app.extensions import csrf, db, login_manager, migrate, redis_store
    from app.sessions import init_sessions

    db.init_app(app)
    with app.app_context():
        replace_closed_connections(db.engine)
    # An absolute path, so `flask db ...` works from any directory.
    migrate.init_app(app, db, directory=str(MIGRATIONS_PATH))
    login_manager.init_app(app)
    csrf.init_app(app)
    redis_store.init_app(app)
    init_sessions(app)
    rate_limits.init_app(app)


def register_url_converters(app):
    """URL converters the blueprints' rules use (``<id:note_id>``)."""
    from app import converters

    converters.init_app(app)


def register_blueprints(app):
    """Mount each part of the site at its URL prefix."""
    from app.api import bp as api_bp
    from app.api import docs_bp as api_docs_bp
    from app.auth import bp as auth_bp
    from app.health import bp as health_bp
    from app.main import bp as main_bp
    from app.notes import bp as notes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(notes_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_docs_bp, url_prefix="/api")


def register_request_hooks(app):
    """Request ids, proxy headers, malformed requests, the login guard, security headers."""
    from app import guard, proxy, request_checks, request_id, security_headers

    proxy.init_app(app)
    request_id.init_app(app)
    request_checks.init_app(app)
    guard.init_app(app)
    security_headers.init_app(app)


def register_error_handlers(app):
    """Answer every error as an HTML page or as RFC 9457 problem details."""
    from app import errors

    errors.init_app(app)


def register_template_helpers(app):
    """Jinja globals and filters shared by every template."""
    from app import template_helpers

    template_helpers.init_app(app)


def register_commands(app):
    """``flask``/``manage.py`` commands and the shell's preloaded names."""
    from app import cli

    cli.init_app(app)

"""The application factory.

``create_app`` is a list of small named steps, each a function with one
job, so a reader can see the whole shape of the app on one screen and find
each concern in the package whose name says it: ``web`` (how requests come
in and answers go out), ``infrastructure`` (database, Redis, sessions, rate
limits, logs, mail, background jobs), ``auth`` (accounts, logging in, the
login guard, password resets{% if cookiecutter.use_admin %}, roles{% endif %}), ``account`` (the signed-in user's own
account), ``main`` (the site's pages){% if cookiecutter.use_uploads %}, ``files``
(the files users store){% endif %}{% if cookiecutter.use_api %}, ``api`` (the JSON API){% endif %}{% if cookiecutter.use_example_notes %} and ``notes`` (the example resource){% endif %}.
{%- if cookiecutter.use_admin %}
``admin`` is the administration area for administrators.
{%- endif %}
{%- if cookiecutter.use_realtime %}
``realtime`` pushes live updates to open pages over a WebSocket.
{%- endif %}
"""

import os
import sys

from flask import Flask

from app import cli
from app.account import bp as account_bp
{%- if cookiecutter.use_admin %}
from app.admin import bp as admin_bp
{%- endif %}
{%- if cookiecutter.use_api %}
from app.api import bp as api_bp
from app.api import docs_bp as api_docs_bp
from app.api.token_pages import bp as api_tokens_bp
{%- endif %}
from app.auth import bp as auth_bp
from app.auth import login_manager, passwords
from app.auth.guard import load_logged_in_user, require_login
from app.extensions import csrf, db, migrate, redis_store
{%- if cookiecutter.use_uploads %}
from app.files import cleanup as file_cleanup
from app.files import commands as file_commands
{%- endif %}
from app.health import bp as health_bp
from app.infrastructure import sessions
from app.infrastructure.database import enforce_foreign_keys, replace_closed_connections
from app.infrastructure.sql_errors import hide_row_values
from app.main import bp as main_bp
{%- if cookiecutter.use_example_notes %}
from app.notes import bp as notes_bp
{%- endif %}
{%- if cookiecutter.use_realtime %}
from app.realtime import bp as realtime_bp
{%- endif %}
from app.web import (
    converters,
    errors,
    logs,
    proxy,
    rate_limits,
    request_checks,
    request_id,
    secret_urls,
    security_headers,
    template_helpers,
)
from config import PROJECT_ROOT, ConfigError, load_settings

INSTANCE_PATH = PROJECT_ROOT / "instance"
MIGRATIONS_PATH = PROJECT_ROOT / "migrations"
# gunicorn stops (instead of starting the worker again) when one exits with this.
GUNICORN_WORKER_BOOT_ERROR = 3


def create_app(config_name: str | None = None) -> Flask:
    """Create the app for ``config_name`` ("development", "testing",
    "production"), or for ``FLASK_CONFIG`` when it is None.

    Raises ``config.ConfigError`` (printed as one line) when the settings
    are incomplete or unsafe, e.g. production without a strong SECRET_KEY.

    The order of the steps is the order of the request hooks: Flask runs
    ``before_request`` functions in the order they were added, and some
    extensions add their own when they are bound to the app.
    """
    settings = load_settings_or_stop_gunicorn(config_name)
    app = Flask(__name__, instance_path=str(INSTANCE_PATH))
    app.config.update(settings)

    configure_logging(app)
    wrap_wsgi_app(app)
    register_request_checks(app)
    register_extensions(app)
    register_login_guard(app)
    register_url_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_settings_or_stop_gunicorn(config_name: str | None) -> dict[str, object]:
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


def configure_logging(app: Flask) -> None:
    """Text or JSON log lines, each with the request id; one line per request."""
    logs.init_app(app)


def wrap_wsgi_app(app: Flask) -> None:
    """WSGI middleware, innermost first: proxy headers, request ids, chunked bodies.

    The request id wraps the app outside any hook, so even an answer made
    before the first hook runs carries it.
    """
    proxy.init_app(app)
    request_id.init_app(app)
    request_checks.init_app(app)


def register_request_checks(app: Flask) -> None:
    """The first request hooks: refuse malformed requests, then meet a session store outage.

    They come before every extension's own hook (CSRF protection reads the
    body and the session), so this step runs before ``register_extensions``.
    """
    app.before_request(request_checks.reject_oversized_body)
    app.before_request(request_checks.reject_undecodable_query_string)
    app.before_request(sessions.raise_session_outage)


def register_extensions(app: Flask) -> None:
    """Bind each extension object from ``app.extensions`` to this app.

    CSRFProtect and Flask-Limiter add a request hook each, after the checks.
    """
    db.init_app(app)
    with app.app_context():
        replace_closed_connections(db.engine)
        enforce_foreign_keys(db.engine)
        hide_row_values(db.engine)
    # An absolute path, so `flask db ...` works from any directory.
    migrate.init_app(app, db, directory=str(MIGRATIONS_PATH))
    login_manager.init_app(app)
    csrf.init_app(app)
    redis_store.init_app(app)
    sessions.init_app(app)
    rate_limits.init_app(app)
    passwords.init_app(app)
{%- if cookiecutter.use_uploads %}
    file_cleanup.init_app(app)
{%- endif %}


def register_login_guard(app: Flask) -> None:
    """The last request hooks: set ``g.user``, then send anonymous visitors to log in."""
    app.before_request(login_manager.ignore_malformed_remember_cookie)
    app.before_request(load_logged_in_user)
    app.before_request(require_login)


def register_url_converters(app: Flask) -> None:
    """URL converters the blueprints' rules use (``<id:name>``, a primary key;
    ``<secret:name>``, a link's token, never logged)."""
    converters.init_app(app)
    secret_urls.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount each part of the site at its URL prefix."""
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(health_bp)
{%- if cookiecutter.use_admin %}
    app.register_blueprint(admin_bp, url_prefix="/admin")
{%- endif %}
{%- if cookiecutter.use_realtime %}
    app.register_blueprint(realtime_bp)  # its panel comes before the notes'
{%- endif %}
{%- if cookiecutter.use_example_notes %}
    app.register_blueprint(notes_bp)
{%- endif %}
{%- if cookiecutter.use_api %}
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_docs_bp, url_prefix="/api")
    app.register_blueprint(api_tokens_bp, url_prefix="/account/tokens")
{%- endif %}


def register_error_handlers(app: Flask) -> None:
    """Answer every error as an HTML page or as RFC 9457 problem details."""
    errors.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Security headers (CSP, nosniff, HSTS over HTTPS...) on every response, errors included."""
    security_headers.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Jinja globals and filters shared by every template."""
    template_helpers.init_app(app)


def register_commands(app: Flask) -> None:
    """``flask``/``manage.py`` commands and the shell's preloaded names."""
    cli.init_app(app)
{%- if cookiecutter.use_uploads %}
    file_commands.init_app(app)
{%- endif %}

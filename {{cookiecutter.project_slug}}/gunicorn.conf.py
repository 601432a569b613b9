"""gunicorn settings, read automatically when gunicorn starts in this directory.

Every value comes from the environment, so the same file serves a laptop
and the Docker image. gunicorn listens on ``GUNICORN_HOST:PORT``
(127.0.0.1:8000 by default; the image sets ``GUNICORN_HOST=0.0.0.0``), or
on ``GUNICORN_BIND`` when that is set (e.g. ``unix:/run/app.sock``).
gunicorn's own log goes to stdout; the app's lines (one per request, JSON in
production) go to stderr through ``wsgi.errors``, as Flask writes them.
Docker and most platforms collect both.

``.env`` is loaded first, as the app loads it (``config.read_environment``):
it fills in only variables the environment leaves unset, so gunicorn's own
settings below may be kept there too.
"""

import os

from dotenv import load_dotenv
from gunicorn.glogging import Logger

from config import DEFAULT_FORWARDED_ALLOW_IPS, DOTENV_PATH, load_settings

load_dotenv(DOTENV_PATH, override=False)
{%- if cookiecutter.use_realtime %}

# Threads of each worker that open WebSockets may never take (see on_starting).
THREADS_KEPT_FOR_PAGES = 16
{%- endif %}


def env_int(name, default):
    """The whole number in the environment variable ``name``, or ``default``.

    A value that is not a number stops gunicorn with one line naming it.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number") from None


port = env_int("PORT", 8000)
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('GUNICORN_HOST', '127.0.0.1')}:{port}"
workers = env_int("WEB_CONCURRENCY", 2)
{%- if cookiecutter.use_realtime %}
# Threads, so that open WebSockets (one thread each, while open) and page
# requests share each worker; a thread is only made when one is needed. The
# app keeps 16 of them for pages (REALTIME_MAX_SOCKETS_PER_PROCESS, 112).
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 128)
{%- else %}
threads = env_int("GUNICORN_THREADS", 1)
{%- endif %}
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Only these peers may set X-Forwarded-Proto for gunicorn. The app reads the
# same variable, with the same default, and believes X-Forwarded-For and
# -Proto from these peers only (app/web/proxy.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or DEFAULT_FORWARDED_ALLOW_IPS
# Worker heartbeats in memory: a container's overlay file system can stall them.
# (gunicorn makes its own private files there; nothing else is shared.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# No control socket (gunicornc): every instance would share one default path
# under $HOME (a second instance on the host logs an error for it), and a
# container's home may not be writable. Signals (HUP, TERM, TTIN) still work.
control_socket_disable = True

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn writes its error log to stderr; send both logs to stdout instead.
# Only gunicorn's loggers get a handler: the root logger gets none, so the
# app keeps Flask's handler and its request-id format (app/web/logs.py).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING", "handlers": []},
    "formatters": {
        "gunicorn": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "gunicorn",
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
# The app writes its own line per request (JSON in production, with the
# request id and user id), so gunicorn's access log would say everything
# twice; GUNICORN_ACCESS_LOG=on brings it back.
if os.environ.get("GUNICORN_ACCESS_LOG", "off").lower() not in ("on", "true", "1", "yes"):
    logconfig_dict["loggers"]["gunicorn.access"]["level"] = "CRITICAL"


class AccessLogger(Logger):
    """gunicorn's logger, with the URL parts the app marks secret (a mailed link's
    token) masked in every field of the access log: the request line, the path,
    the referrer, any header or environ field a custom ``access_log_format`` names.

    The app lists them in the request's WSGI environ (``app/web/secret_urls.py``,
    imported here, in the worker that has loaded the app, not in the master);
    a request the app never saw (gunicorn's own 400s) has none to mask.
    """

    def atoms(self, resp, req, environ, request_time):
        from app.web.secret_urls import SECRET_PARTS_KEY, mask

        atoms = super().atoms(resp, req, environ, request_time)
        parts = environ.get(SECRET_PARTS_KEY)
        if not parts:
            return atoms
        return {
            name: mask(value, parts) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


logger_class = AccessLogger


def on_starting(server):
    """Check the settings once, in the master, before any worker starts.

    A worker that fails to boot is respawned by gunicorn over and over; a
    bad setting found here stops gunicorn instead, with one line naming it.
    (``server`` is gunicorn's arbiter; None when a test checks the settings only.)
    """
    if server is not None:
        serve_links_here(server.cfg.bind)
    settings = load_settings()
{%- if cookiecutter.use_realtime %}
    # Each open WebSocket holds a thread: enough must stay free for pages.
    worker_threads = server.cfg.threads if server is not None else threads
    sockets = settings["REALTIME_MAX_SOCKETS_PER_PROCESS"]
    if sockets > worker_threads - THREADS_KEPT_FOR_PAGES:
        raise SystemExit(
            f"gunicorn.conf.py: REALTIME_MAX_SOCKETS_PER_PROCESS ({sockets}) must leave "
            f"{THREADS_KEPT_FOR_PAGES} of GUNICORN_THREADS ({worker_threads}) for page requests"
        )
{%- endif %}
    if server is not None and settings["REDIS_URL"] is None and server.num_workers > 1:
        one_worker_without_redis(server)


def serve_links_here(addresses):
    """Development's links (``config.serving_url``) point at gunicorn's address, not at
    ``flask run``'s: the workers inherit these variables. A Unix socket changes nothing."""
    address = addresses[0] if addresses else bind
    host, _, port = address.rpartition(":")
    if host and port.isdigit() and not address.startswith(("unix:", "fd://")):
        os.environ["FLASK_RUN_HOST"] = host.strip("[]")
        os.environ["FLASK_RUN_PORT"] = port


def one_worker_without_redis(server):
    """Without Redis each worker keeps its own state in memory: {% if cookiecutter.use_realtime %}a note's live update
    would reach only the pages whose socket landed on the worker that saved it, and {% endif %}rate
    limits would count per worker. One worker keeps the app whole; its threads still
    serve requests side by side. Production always has ``REDIS_URL`` (config.py)."""
    server.log.warning(
        "REDIS_URL is not set: serving with 1 worker instead of %d, since workers share "
        "{% if cookiecutter.use_realtime %}live updates and {% endif %}rate limits only through Redis",
        server.num_workers,
    )
    server.num_workers = 1


{%- if cookiecutter.use_realtime %}


def post_worker_init(worker):
    """In each worker: SIGTERM closes its WebSockets first (code 1001, "going away").

    Otherwise gunicorn would wait for them, as for any request in flight,
    until its graceful timeout.
    """
    from app.realtime.shutdown import close_sockets_on_sigterm

    close_sockets_on_sigterm()
{%- endif %}

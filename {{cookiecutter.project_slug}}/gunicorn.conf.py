"""gunicorn settings, read automatically when gunicorn starts in this directory.

Every value can be changed through the environment, so the same file serves
a laptop and the Docker image. It binds to 127.0.0.1 unless ``GUNICORN_BIND``
says otherwise (the image sets 0.0.0.0:8000); a platform that only sets
``PORT`` needs ``GUNICORN_BIND=0.0.0.0:$PORT`` too.
"""

import os

from config import load_settings

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Only the proxy in front may set X-Forwarded-* (the app trusts one hop).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def on_starting(server):
    """Check the settings once, in the master, before any worker starts.

    A worker that fails to boot is respawned by gunicorn over and over; a
    bad setting found here stops gunicorn instead, with one line naming it.
    """
    load_settings()

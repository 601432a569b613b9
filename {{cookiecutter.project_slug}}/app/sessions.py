"""Server-side sessions through Flask-Session.

The browser's cookie carries only a random session id; the data lives in
Redis under ``session:<id>``. Development without ``REDIS_URL`` keeps
sessions in files under ``instance/sessions`` so nothing needs installing.
"""

from pathlib import Path

from cachelib.file import FileSystemCache

from app.extensions import server_session

# Enough for a developer's browsers; the store prunes beyond it.
FILE_STORE_THRESHOLD = 1000


def init_sessions(app):
    """Pick the session store for this app and install Flask-Session."""
    client = app.extensions["redis"].client  # set up by redis_store.init_app just before
    if client is not None:
        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = client
    else:
        directory = Path(app.instance_path) / "sessions"
        app.config["SESSION_TYPE"] = "cachelib"
        app.config["SESSION_CACHELIB"] = FileSystemCache(
            str(directory), threshold=FILE_STORE_THRESHOLD, mode=0o600
        )
        app.logger.info("REDIS_URL is not set: sessions are kept in files under %s", directory)
    server_session.init_app(app)

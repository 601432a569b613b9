"""The services the app depends on: the database, Redis, sessions, rate limits, logs{% if cookiecutter.use_uploads %},
file storage{% endif %}."""

import redis
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
{%- if cookiecutter.use_uploads %}

from app.infrastructure.storage import StorageUnavailable
{%- endif %}

# The errors that mean a service is down rather than a request being wrong:
# answered 503, never 500 (``app/web/errors.py``).
SERVICE_OUTAGES = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
{%- if cookiecutter.use_uploads %}
    StorageUnavailable,
{%- endif %}
)

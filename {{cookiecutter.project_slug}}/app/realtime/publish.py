"""``publish(user_id, event, data)``: push an event to every open page of one user.

Call it from any view or job, after the change it announces is committed::

    from app.realtime.publish import publish

    publish(user.id, "invoice.paid", {"invoice": {"id": invoice.id}})

Each of the user's sockets, on every instance of the app, then receives
the text message ``{"event": "invoice.paid", "invoice": {"id": 7}}``, and
the dashboard's script turns it into a ``realtime:message`` DOM event.

Delivery is best effort, as pub/sub is: a page that is not connected at
that moment misses the event, and catches up when it reconnects (the notes
panel reloads its list). So publish what changed, never the only copy of it.
"""

import json
from collections.abc import Mapping
from typing import Any

import redis
from flask import current_app

from app.realtime.broker import broker_client, user_channel


def publish(user_id: int, event: str, data: Mapping[str, Any] | None = None) -> None:
    """Send ``{"event": event, **data}`` to ``user_id``'s sockets; never fails the caller.

    ``data`` must be JSON-serialisable. When Redis is down the event is
    dropped with a warning: the change itself is saved, and the sockets,
    closed by the same outage, catch up when they reconnect.
    """
    message = json.dumps({"event": event, **(data or {})}, separators=(",", ":"))
    client = broker_client(current_app)
    if client is None:
        return
    try:
        client.publish(user_channel(current_app, user_id), message)
    except redis.RedisError as error:
        current_app.logger.warning("Live update %s for user %s not sent: %s", event, user_id, error)

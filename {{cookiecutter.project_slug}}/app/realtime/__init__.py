"""Live updates: a WebSocket at ``/ws`` pushing each user's events to their open pages.

Any view or job announces an event with ``publish(user_id, event, data)``
(``publish.py``); it travels through Redis pub/sub, so every instance of
the app delivers it to that user's sockets, wherever the change was made.

- ``views.py``: the handshake, answered with plain HTTP (401, 403, 429,
  503) before any upgrade; ``handshake.py`` says who is asking (the session
  cookie{% if cookiecutter.use_api %}, or an API bearer token for scripts{% endif %}) and checks the ``Origin``.
- ``hub.py``: one per process, one Redis subscription for every socket of
  the process; ``connection.py``: the life of one socket.
- ``credentials.py``: closes sockets whose session{% if cookiecutter.use_api %} or token{% endif %} ended;
  ``slots.py``: the caps on open sockets, per user and per client address,
  counted across instances.
- ``shutdown.py``: closes every socket when gunicorn stops a worker.
- ``static/realtime.js`` with ``templates/realtime/panel.html``: the
  dashboard's client (reconnects, heartbeats, one DOM event per message).
"""

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState

from app.main.dashboard import add_panel
from app.realtime import broker
from app.web.negotiation import answer_json_under

bp = Blueprint(
    "realtime",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/realtime/static",
)


def panel_context() -> dict[str, object]:
    """What the client script needs besides the socket's URL: how often to check it is alive."""
    return {"heartbeat_seconds": current_app.config["REALTIME_PING_SECONDS"]}


@bp.record_once
def set_up(state: BlueprintSetupState) -> None:
    """Put the client on the dashboard; answer /ws's refusals in JSON (problem details)."""
    broker.init_app(state.app)
    add_panel(state.app, "realtime/panel.html", panel_context)
    answer_json_under(state.app, "/ws")


from app.realtime import views  # noqa: E402,F401  (the /ws view attaches itself to bp)

"""The baseline: a bare Flask app whose only view returns "ok".

It is served by the same gunicorn, with the same settings, as the project's
app. Whatever the bare app cannot do faster than the project's app is the
cost of the server, the machine and the load generator; what is left is the
cost of the app's own request path (sessions, database, Redis, templates).
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    """The cheapest answer Flask can give."""
    return "ok"

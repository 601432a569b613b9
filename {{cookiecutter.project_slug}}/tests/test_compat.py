"""The private names ``app/compat/`` overrides, and what the app counts on them doing.

Each module in ``app/compat/`` reaches past one library's public API. When
an upgrade of that library breaks one of its assumptions, a test here fails
naming the library, its installed version and the module to check.
"""

import inspect
import pickle
import pkgutil
from importlib.metadata import version

import msgspec
import pytest
from flask import current_app, has_app_context
from flask_session.redis import RedisSessionInterface
from rq import Worker

import app.compat
from app.compat import flask_session
from app.compat import rq as rq_compat
from app.extensions import db

# Each compat module and the distribution whose private names it relies on.
LIBRARIES = {flask_session: "Flask-Session", rq_compat: "rq"}


def changed(module, what):
    """The failure message: which library changed what, and which module to check."""
    library = LIBRARIES[module]
    path = f"app/compat/{module.__name__.rsplit('.', 1)[1]}.py"
    return f"{library} {version(library)} changed {what}: check {path}"


def test_every_compat_module_is_checked_here():
    modules = {info.name for info in pkgutil.iter_modules(app.compat.__path__)}
    assert modules == {module.__name__.rsplit(".", 1)[1] for module in LIBRARIES}


@pytest.mark.parametrize(
    ("module", "cls", "name"),
    [(module, cls, name) for module in LIBRARIES for cls, name in module.RELIES_ON],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_private_name_relied_on_still_exists(module, cls, name):
    assert hasattr(cls, name), changed(module, f"{cls.__name__}.{name} (it is gone)")


def test_the_failure_message_names_the_library_its_version_and_the_module():
    message = changed(flask_session, "RedisSessionInterface._retrieve_session_data")
    assert message == (
        f"Flask-Session {version('Flask-Session')} changed "
        "RedisSessionInterface._retrieve_session_data: check app/compat/flask_session.py"
    )


# Flask-Session: GETEX to read and slide, SET only when changed, MessagePack only.


@pytest.fixture
def calls(app, monkeypatch):
    """Record each call of the session interface's overridden hook, then run it."""
    recorded = []
    interface = app.session_interface
    for name in ("_retrieve_session_data",):
        original = getattr(interface, name)

        def spy(*args, _name=name, _original=original):
            recorded.append((_name, args))
            return _original(*args)

        monkeypatch.setattr(interface, name, spy)
    return recorded


def session_key(client):
    return f"session:{client.get_cookie('session').value}"


def test_the_app_uses_the_sliding_redis_store(app):
    interface = app.session_interface
    assert isinstance(interface, flask_session.SlidingRedisSessions)
    assert isinstance(interface.serializer, flask_session.MsgpackOnlySerializer)


def test_opening_a_session_retrieves_it_by_its_store_id(client, auth, calls):
    auth.csrf_token()  # the browser now holds a stored session
    key = session_key(client)
    calls.clear()
    client.get("/auth/login")
    retrieved = [args for name, args in calls if name == "_retrieve_session_data"]
    assert retrieved == [(key,)], changed(
        flask_session, "how open_session calls RedisSessionInterface._retrieve_session_data"
    )


def test_each_request_pushes_the_idle_expiry_back_without_rewriting_the_session(
    app, client, auth, user, redis_client
):
    """Sliding expiry by GETEX: an active session never expires, an idle one still does."""
    auth.login()
    client.get("/dashboard")  # the first view stores the page's CSRF token
    key = session_key(client)
    stored = redis_client.get(key)
    redis_client.expire(key, 5)  # as if the session had been idle for hours
    assert client.get("/dashboard").status_code == 200
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    assert lifetime - 5 <= redis_client.ttl(key) <= lifetime, changed(
        flask_session, "RedisSessionInterface._retrieve_session_data (no GETEX)"
    )
    assert redis_client.get(key) == stored, changed(
        flask_session, "when save_session writes (should_set_storage)"
    )


class Explode:
    """A pickle payload that would leave a mark if it were ever unpickled."""

    ran = False

    def __reduce__(self):
        return (setattr, (Explode, "ran", True))


def test_stored_pickle_data_is_never_unpickled(client, redis_client):
    """Flask-Session 0.8 falls back to pickle; whoever can write to Redis must not run code."""
    redis_client.set("session:planted-pickle", pickle.dumps(Explode()))
    client.set_cookie("session", "planted-pickle")
    assert client.get("/auth/login").status_code == 200
    assert Explode.ran is False, changed(flask_session, "RedisSessionInterface.serializer")
    assert client.get_cookie("session").value != "planted-pickle"


def test_stored_data_that_is_not_a_session_counts_as_no_session(client, redis_client):
    redis_client.set("session:planted-list", msgspec.msgpack.encode(["not", "a", "dict"]))
    client.set_cookie("session", "planted-list")
    assert client.get("/auth/login").status_code == 200
    assert client.get_cookie("session").value != "planted-list"


def test_the_sliding_store_is_flask_sessions_redis_store():
    assert issubclass(flask_session.SlidingRedisSessions, RedisSessionInterface)


# RQ: each job in the app's context; the forked work horse drops the parent's connections.


def test_a_work_horse_drops_the_parents_database_connections_without_closing_them(app, monkeypatch):
    disposed, worked = [], []
    with app.app_context():
        engine = db.engine
    worker = rq_compat.AppWorker(app, ["default"], connection=app.extensions["redis"].client)
    # Undone at the end of the block, before the app fixture disposes of its
    # engine for real (the fixture's own monkeypatch outlives this test).
    with monkeypatch.context() as patch:
        patch.setattr(type(engine), "dispose", lambda self, close=True: disposed.append(close))
        patch.setattr(Worker, "main_work_horse", lambda self, job, queue: worked.append(job))
        worker.main_work_horse("the job", "the queue")

    assert disposed == [False], changed(rq_compat, "Worker.main_work_horse")
    assert worked == ["the job"]


def test_each_job_runs_in_an_app_context(app, monkeypatch):
    seen = []

    def perform_job(self, job, queue, execution):
        seen.append((has_app_context() and current_app.name, job, queue, execution))
        return True

    monkeypatch.setattr(Worker, "perform_job", perform_job)
    worker = rq_compat.AppWorker(app, ["default"], connection=app.extensions["redis"].client)

    assert worker.perform_job("job", "queue", "execution") is True
    assert seen == [(app.name, "job", "queue", "execution")], changed(
        rq_compat, "the arguments of Worker.perform_job"
    )
    assert not has_app_context()


def test_rq_calls_perform_job_with_a_job_a_queue_and_an_execution():
    parameters = list(inspect.signature(Worker.perform_job).parameters)
    assert parameters == ["self", "job", "queue", "execution"], changed(
        rq_compat, "Worker.perform_job(job, queue, execution)"
    )
    assert list(inspect.signature(Worker.main_work_horse).parameters) == ["self", "job", "queue"]

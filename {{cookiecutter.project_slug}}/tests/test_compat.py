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
from flask import current_app, has_app_context, request
from flask_login import LoginManager as FlaskLoginManager
from flask_session.redis import RedisSessionInterface
from rq import Worker

import app.compat
from app.compat import flask_login, flask_session
from app.compat import rq as rq_compat
from app.extensions import db
from tests.request_counters import counting

# Each compat module and the distribution whose private names it relies on.
LIBRARIES = {flask_session: "Flask-Session", flask_login: "Flask-Login", rq_compat: "rq"}


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
    message = changed(flask_session, "RedisSessionInterface._upsert_session")
    assert message == (
        f"Flask-Session {version('Flask-Session')} changed "
        "RedisSessionInterface._upsert_session: check app/compat/flask_session.py"
    )


# Flask-Session: GETEX to read and slide, SET only when changed, SET XX once stored,
# MessagePack only.


@pytest.fixture
def calls(app, monkeypatch):
    """Record each call of the session interface's overridden hooks, then run it."""
    recorded = []
    interface = app.session_interface.interface
    for name in ("_retrieve_session_data", "_upsert_session"):
        original = getattr(interface, name)

        def spy(*args, _name=name, _original=original):
            recorded.append((_name, args))
            return _original(*args)

        monkeypatch.setattr(interface, name, spy)
    return recorded


def session_key(client):
    return f"session:{client.get_cookie('session').value}"


def test_the_app_uses_the_sliding_redis_store(app):
    interface = app.session_interface.interface
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


def test_saving_a_changed_session_upserts_it(app, client, calls):
    client.get("/auth/login")  # a new session, with the form's CSRF token in it
    [(lifetime, session, store_id)] = [args for name, args in calls if name == "_upsert_session"]
    assert lifetime == app.permanent_session_lifetime, changed(
        flask_session, "the arguments of RedisSessionInterface._upsert_session"
    )
    assert store_id == session_key(client)
    assert "csrf_token" in session


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
        flask_session, "when save_session writes (should_set_storage, _upsert_session)"
    )


def test_a_late_write_cannot_bring_back_a_session_logged_out_meanwhile(app, client, auth, user):
    """A request still running when the user logs out must not re-create the session (SET XX)."""
    auth.login()
    session_id = client.get_cookie("session").value
    with app.test_request_context("/dashboard", headers={"Cookie": f"session={session_id}"}):
        in_flight = app.session_interface.open_session(app, request._get_current_object())
        assert in_flight.get("_user_id")
        in_flight["touched"] = True  # the in-flight request changed its session
        auth.logout()  # meanwhile, on another request, the same session logs out
        app.session_interface.save_session(app, in_flight, app.make_response("late"))
    thief = app.test_client()
    thief.set_cookie("session", session_id)
    assert thief.get("/dashboard").status_code == 302, changed(
        flask_session, "RedisSessionInterface._upsert_session (no SET XX)"
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


# Flask-Login: a remember-me cookie that is not ASCII counts as none.


def test_loading_the_user_reads_a_remember_cookie_through_the_override(
    app, client, auth, user, monkeypatch
):
    auth.login(remember_me=True)
    cookie = client.get_cookie("remember_token").value
    client.delete_cookie("session")
    seen = []
    original = flask_login.LoginManager._load_user_from_remember_cookie

    def spy(self, text):
        seen.append(text)
        return original(self, text)

    monkeypatch.setattr(flask_login.LoginManager, "_load_user_from_remember_cookie", spy)
    assert client.get("/dashboard").status_code == 200
    assert seen == [cookie], changed(
        flask_login, "how LoginManager._load_user calls _load_user_from_remember_cookie"
    )


@pytest.mark.parametrize("value", ["x|é", "1|\u2603", "é" * 40])
def test_a_non_ascii_remember_cookie_counts_as_none(client, value):
    client.set_cookie("remember_token", value)
    response = client.get("/dashboard")
    assert response.status_code == 302, changed(
        flask_login, "LoginManager._load_user_from_remember_cookie"
    )
    assert response.headers["Location"].startswith("/auth/login")


def test_the_app_uses_the_ascii_only_login_manager(app):
    assert isinstance(app.login_manager, flask_login.LoginManager)
    assert issubclass(flask_login.LoginManager, FlaskLoginManager)


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


# Flask-Session: what the app adds to a session's write goes in the same round trip.


def test_a_logged_in_session_is_written_with_its_index_entry_in_one_round_trip(
    app, client, auth, user, redis_client
):
    auth.login()
    session_id = client.get_cookie("session").value
    assert redis_client.zscore(f"session-index:{user.id}", session_id) is not None
    app.config["SESSION_USER_RECHECK_SECONDS"] = 0  # the next view renews the snapshot
    with counting(app) as counts:
        client.get("/dashboard")
    assert counts.redis_round_trips == 2, changed(
        flask_session, "how save_session calls RedisSessionInterface._upsert_session"
    )

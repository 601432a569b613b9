"""Fixtures shared by the whole suite, in the style of Flask's tutorial.

Tests get a testing app on SQLite in memory and an in-process Redis
emulator (fakeredis), so a machine with no PostgreSQL and no Redis runs the
suite. Set ``TEST_DATABASE_URL`` (postgresql://...) and ``TEST_REDIS_URL``
(redis://...) to run it against real servers instead.

Both are wiped before every test: the app's tables in the TEST_DATABASE_URL
database are emptied (created when missing), and the TEST_REDIS_URL
database is flushed (FLUSHDB, every key in it). Point them at throwaway
databases, never at data you want to keep. Each pytest-xdist worker uses
databases of its own (``tests/parallel.py``).
"""

import gc
import logging
import os
import re
import time
from collections.abc import Callable
from types import SimpleNamespace

import fakeredis
import jinja2
import pytest
import redis
from flask import current_app
from itsdangerous.timed import TimestampSigner
from sqlalchemy import MetaData, column, insert, inspect, table
from werkzeug.security import generate_password_hash

import app as app_package
import config
from app import create_app
from app.auth import guard
from app.auth.accounts import create_account
from app.auth.models import normalize_email
from app.extensions import db, limiter
from app.infrastructure import mail
from app.infrastructure.database import UTCDateTime, utcnow
from config_checks import defaults_of
from tests.parallel import for_this_worker, one_worker_for, use_worker_databases
{%- if cookiecutter.use_uploads %}

# Storage on both backends (a directory, and S3 on a moto server) for any test folder.
pytest_plugins = ["tests.files.storage"]
{%- endif %}

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"
OTHER_EMAIL = "grace@example.com"
OTHER_PASSWORD = "another horse battery"
STRONG_SECRET = "a-production-secret-that-is-long-enough-to-be-accepted"
MIGRATIONS = str(config.PROJECT_ROOT / "migrations")

# The hidden input in both spellings: WTForms' hidden_tag() and the layout's logout form.
CSRF_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
# Variables of the developer's shell that would change what the app does.
SCRUBBED = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "MAIL_URL",
    "MAIL_FROM",
    "PUBLIC_URL",
{%- if cookiecutter.use_uploads %}
    "STORAGE_URL",
    "S3_ENDPOINT_URL",
{%- endif %}
)
# A link in a mail's plain-text part.
LINK = re.compile(r"https?://\S+")
# The testing config's cheap password hash, which the production and development
# apps of these tests use too: a hash at production cost takes 70 ms (test_models.py
# checks that one fits the column).
TESTING_HASH_METHOD = defaults_of(config.TestingConfig)["PASSWORD_HASH_METHOD"]


# Fixtures that serve the app on a port or start processes (the live updates'
# ``server``; the browser tests' gunicorn ``instances`` and ``chromium``): every
# test using one is marked slow, and ``make test-quick`` leaves it out.
SLOW_FIXTURES = frozenset({"server", "instances", "chromium"})
BROWSER_TESTS = "tests/browser/"


def pytest_configure():
    """Give each pytest-xdist worker databases of its own (``tests/parallel.py``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        use_worker_databases(worker)


def pytest_xdist_make_scheduler(config, log):
    """Hand out tests a few at a time as workers free up, but every browser test to one worker.

    The browser tests' servers use what the workers share (Redis pub/sub
    has no database number): they run one after another (``tests/parallel.py``).
    """
    return one_worker_for(config, log, BROWSER_TESTS)


def pytest_collection_finish(session):
    """Spare the garbage collector what collection built, and let it run less often.

    Collection leaves a few hundred thousand objects that live for the whole run
    (modules, test items, fixtures); each full collection would walk them again.
    Frozen, they are skipped; a larger first generation collects less often.
    Together they take about 7% off a run, for 3% more memory.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def pytest_collection_modifyitems(items):
    """Mark ``slow`` every test that uses one of ``SLOW_FIXTURES``.

    Modules slow as a whole say so themselves (``pytestmark = pytest.mark.slow``).
    """
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def dotenv_path(tmp_path_factory):
    """Where the tests' .env would be: a file no test finds unless it writes one."""
    return tmp_path_factory.mktemp("dotenv") / ".env"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, dotenv_path):
    """Hide the developer's shell variables and the project's own .env from every test.

    A baked project holds a real .env, and a FLASK_DEBUG or DATABASE_URL in
    the shell would change what the app does; tests that need either set it.
    A test that writes a .env (at ``config.DOTENV_PATH``) has it removed afterwards.
    """
    saved_environment = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("FLASK_") or name in SCRUBBED:
            monkeypatch.delenv(name)
    monkeypatch.setattr(config, "DOTENV_PATH", dotenv_path)
    yield
    dotenv_path.unlink(missing_ok=True)
    # Loading a .env writes into os.environ; put it back as it was.
    os.environ.clear()
    os.environ.update(saved_environment)


class CompiledTemplates(jinja2.BytecodeCache):
    """The app's templates, compiled once for every app the suite creates.

    Each test's app has a Jinja environment of its own, which would parse and
    compile again every template the test renders: a good part of a quick
    run's time. Jinja compiles a template again when its source changed (each
    entry carries the source's checksum).
    """

    def __init__(self):
        self._bytecode = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._bytecode:
            bucket.bytecode_from_string(self._bytecode[bucket.key])

    def dump_bytecode(self, bucket):
        self._bytecode[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def with_compiled_templates(app):
    """``app``, rendering from templates compiled by an earlier test's app when it can."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def dispose(app):
    """Close the app's pooled database connections now rather than at garbage collection."""
    with app.app_context():
        db.engine.dispose()


# Flask's request hooks and the like: what a test changes when it mounts a view or a blueprint.
SETUP_FUNCTIONS = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "url_value_preprocessors",
    "url_default_functions",
    "template_context_processors",
    "error_handler_spec",
)
# Tests under these folders serve their app for real (threads): each gets an app of its own.
OWN_APP_FOLDERS = ("browser",{% if cookiecutter.use_realtime %} "realtime"{% endif %})


def without_empty_entries(hooks):
    """Flask's hooks by blueprint (and by code and class for error handlers), copied.

    They are ``defaultdict`` objects, which grow an empty entry whenever a
    blueprint's hooks are looked up: empty entries are left out.
    """
    if isinstance(hooks, dict):
        entries = {key: without_empty_entries(value) for key, value in hooks.items()}
        return {key: value for key, value in entries.items() if value not in ({}, [])}
    if isinstance(hooks, list):
        return list(hooks)
    return hooks


def setup_of(app):
    """What the app serves and which hooks it runs, to see whether a test changed them."""
    return (
        [rule.rule for rule in app.url_map.iter_rules()],
        dict(app.view_functions),
        dict(app.blueprints),
        [without_empty_entries(getattr(app, name)) for name in SETUP_FUNCTIONS],
        list(app.teardown_appcontext_funcs),
        dict(app.jinja_env.globals),
        dict(app.jinja_env.filters),
    )


class KeptApp:
    """A testing app kept for the next test, with what it was before its first test."""

    def __init__(self, app):
        self.app = app
        self.config = dict(app.config)
        self.extensions = dict(app.extensions)
        self.setup = setup_of(app)
        self.auto_reload = app.jinja_env.auto_reload
        # Flask-Limiter's one extension object counts in the last app bound to it.
        self.limits_storage = limiter.storage

    def reusable(self):
        """False once a test changed what the app serves, or another app took the limiter."""
        return limiter.storage is self.limits_storage and setup_of(self.app) == self.setup

    def restore(self):
        """Put back the settings and extension state tests change (``app.config[...] = ...``)."""
        self.app.config.clear()
        self.app.config.update(self.config)
        self.app.extensions.clear()
        self.app.extensions.update(self.extensions)
        self.app.jinja_env.auto_reload = self.auto_reload  # ``app.debug = True`` turns it on
        # Let the next test mount views before its first request, as on a new app.
        self.app._got_first_request = False


class TestingApps:
    """Testing apps built once per variant and reused by every test that leaves them unchanged.

    Building an app (its URL map above all) costs more than most tests; a
    test that mounts a view or registers a blueprint changes the app, which
    is then thrown away, and the next test gets a new one.
    """

    __test__ = False  # not a test class

    def __init__(self):
        self._kept = {}

    def take(self, variant, mount):
        """The kept app of ``variant``, or a new one with ``mount(app)`` applied."""
        kept = self._kept.pop(variant, None)
        if kept is not None and kept.reusable():
            kept.restore()
            return kept
        if kept is not None:
            close(kept.app)
        return KeptApp(new_testing_app(mount))

    def give_back(self, variant, kept):
        """Keep ``kept`` for the next test of ``variant``, which reuses it if it is unchanged.

        That is checked when the next test takes it: by then the test's
        ``monkeypatch`` has undone its patches.
        """
        self._kept[variant] = kept

    def close(self):
        """Close every kept app (end of the run)."""
        for kept in self._kept.values():
            close(kept.app)
        self._kept.clear()


TESTING_APPS = TestingApps()


def new_testing_app(mount=None):
    """A new testing app for this worker, with ``mount(app)`` applied when given."""
    app = for_this_worker(with_compiled_templates(create_app("testing")))
    if mount is not None:
        mount(app)
    return app


def close(app):
    """Close the app's database connections and Redis client."""
    dispose(app)
    app.extensions["redis"].client.close()


def empty_tables(app):
    """Make the app's tables exist, empty, as the models define them.

    Usually one DELETE per table. The schema is made again when it is not
    the models' (a new in-memory database, or a test that dropped tables or
    ran migrations on TEST_DATABASE_URL, or an earlier interrupted run).
    """
    with app.app_context():
        expected = set(db.metadata.tables)
        with db.engine.begin() as connection:
            if set(inspect(connection).get_table_names()) == expected:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                return
        with db.engine.begin() as connection:
            found = MetaData()
            found.reflect(connection)
            found.drop_all(connection)
        db.create_all()


@pytest.fixture(scope="session", autouse=True)
def close_testing_apps():
    """Close the apps kept between tests when the run ends."""
    yield
    TESTING_APPS.close()


@pytest.fixture
def app_variant():
    """The name of the testing app a folder's tests share, and what it adds to a new one.

    A folder's conftest.py overrides it to mount test-only views on its
    apps: ``return "api", mount_items``.
    """
    return "plain", None


@pytest.fixture
def app(request, app_variant{% if cookiecutter.use_uploads %}, tmp_path{% endif %}):
    """A testing app with empty tables and a flushed Redis database.

    Tests share one app while they leave it unchanged: settings and
    extension state are put back after each test, and a test may still
    mount views before its first request (that app is not reused).
    Tests of live updates and browsers get an app of their own.
    """
    variant, mount = app_variant
    own = request.node.path.parent.name in OWN_APP_FOLDERS
    kept = KeptApp(new_testing_app(mount)) if own else TESTING_APPS.take(variant, mount)
    app = kept.app
{%- if cookiecutter.use_uploads %}
    app.config["STORAGE_URL"] = (tmp_path / "storage").as_uri()  # files of this test only
{%- endif %}
    redis_client = app.extensions["redis"].client
    empty_tables(app)
    redis_client.flushdb()
    with app.app_context():
        limiter.reset()

    yield app

    with app.app_context():
        db.session.remove()
    redis_client.flushdb()
    if own:
        close(app)
    else:
        TESTING_APPS.give_back(variant, kept)


@pytest.fixture
def client(app):
    """A browser for the app, keeping cookies between requests."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs the app's ``flask`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The mails the app has "sent" (``MAIL_URL=memory://``), as ``email.message`` objects."""
    with app.app_context():
        return mail.outbox()


def text_of(message):
    """The plain-text part of a mail."""
    return message.get_body(("plain",)).get_content()


def html_of(message):
    """The HTML part of a mail."""
    return message.get_body(("html",)).get_content()


def links_in(message):
    """Every link in a mail's plain-text part, in order."""
    return LINK.findall(text_of(message))


def path_of(link, base="http://localhost"):
    """The path a mailed link points to on the site (links start with PUBLIC_URL)."""
    assert link.startswith(base + "/"), link
    return link.removeprefix(base)


def mails_to(outbox, address):
    """The mails sent to ``address``, oldest first."""
    return [message for message in outbox if message["To"] == address]


def expired_token(app, max_age_setting, make_token: Callable[[], str]) -> str:
    """A link token from ``make_token``, signed five seconds past its
    ``max_age_setting`` ago (called in an app context, with the signer's clock set back)."""
    issued_long_ago = int(time.time()) - app.config[max_age_setting] - 5
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda _self: issued_long_ago)
        return make_token()


@pytest.fixture
def redis_client(app):
    """The Redis client (real or emulated) that holds the app's sessions."""
    return app.extensions["redis"].client


@pytest.fixture
def refuse_redis(app, monkeypatch):
    """Make one command of the app's Redis client fail as it does when the server
    is down: ``refuse_redis("get")``."""

    def refuse(command):
        def refused(*args, **kwargs):
            raise redis.exceptions.ConnectionError("Connection refused")

        monkeypatch.setattr(app.extensions["redis"].client, command, refused)

    return refuse


@pytest.fixture
def user(app):
    """An account to log in with: ``EMAIL`` and ``PASSWORD``."""
    with app.app_context():
        account = create_account(EMAIL, PASSWORD)
        return SimpleNamespace(id=account.id, email=account.email, password=PASSWORD)


@pytest.fixture
def other_user(app):
    """A second account, whose data ``user`` must never see: ``OTHER_EMAIL``."""
    with app.app_context():
        account = create_account(OTHER_EMAIL, OTHER_PASSWORD)
        return SimpleNamespace(id=account.id, email=account.email, password=OTHER_PASSWORD)


class AuthActions:
    """Register, log in and log out through the real HTML forms, as a browser does.

    Every POST carries the hidden ``csrf_token`` read from the page first:
    CSRF protection stays on in the tests.
    """

    def __init__(self, client):
        self._client = client

    def csrf_token(self, path="/auth/login"):
        """Read the CSRF token from the form on ``path``."""
        response = self._client.get(path)
        match = CSRF_TOKEN.search(response.get_data(as_text=True))
        assert match, f"no csrf_token on {path} ({response.status_code})"
        return match.group(1)

    def register(self, email=EMAIL, password=PASSWORD, confirm_password=None):
        """Fill in and send the registration form."""
        data = {
            "csrf_token": self.csrf_token("/auth/register"),
            "email": email,
            "password": password,
            "confirm_password": password if confirm_password is None else confirm_password,
        }
        return self._client.post("/auth/register", data=data)

    def login(self, email=EMAIL, password=PASSWORD, remember_me=False, next_url=None):
        """Fill in and send the login form, with ``?next=next_url`` when given."""
        data = {"csrf_token": self.csrf_token(), "email": email, "password": password}
        if remember_me:
            data["remember_me"] = "y"
        query = {} if next_url is None else {"next": next_url}
        return self._client.post("/auth/login", query_string=query, data=data)

    def logout(self):
        """Press the layout's "Log out" button (a POST form on every page)."""
        return self._client.post("/auth/logout", data={"csrf_token": self.csrf_token("/")})

    def submit(self, path, data, form_path=None):
        """Send the form at ``path`` (shown at ``form_path``, default ``path``) with ``data``."""
        token = self.csrf_token(form_path or path)
        return self._client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def auth(client):
    """Register, log in and log out through the forms: ``auth.login()``."""
    return AuthActions(client)


@pytest.fixture
def logged_in(auth, user):
    """``user``, logged in on the test's client through the form."""
    auth.login()
    return user


@pytest.fixture
def production_app(monkeypatch{% if cookiecutter.use_uploads %}, tmp_path{% endif %}):
    """A production app with valid settings, on the test database and test Redis.

    Without TEST_REDIS_URL the Redis client it builds is swapped for fakeredis.
    Its Redis database is flushed afterwards. Passwords get the testing hash.
    """
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("DATABASE_URL", os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    monkeypatch.setenv("MAIL_URL", "smtp://mail.invalid:25")  # never contacted by these tests
{%- if cookiecutter.use_uploads %}
    monkeypatch.setenv("STORAGE_URL", (tmp_path / "storage").as_uri())
{%- endif %}
    if os.environ.get("TEST_REDIS_URL"):
        monkeypatch.setenv("REDIS_URL", os.environ["TEST_REDIS_URL"])
    else:
        monkeypatch.setenv("REDIS_URL", "redis://redis.invalid:6379/0")
        monkeypatch.setattr(
            redis.Redis, "from_url", classmethod(lambda cls, url, **options: fakeredis.FakeRedis())
        )
    app = for_this_worker(with_compiled_templates(create_app("production")))
    app.config["PASSWORD_HASH_METHOD"] = TESTING_HASH_METHOD
    yield app
    dispose(app)
    app.extensions["redis"].client.flushdb()
    app.extensions["redis"].client.close()


@pytest.fixture
def production_tables(production_app):
    """The production app's tables, with ``EMAIL``'s account, dropped again afterwards
    (on ``TEST_DATABASE_URL``'s database, which the ``app`` fixture's tests share)."""
    with production_app.app_context():
        db.drop_all()
        db.create_all()
        create_account(EMAIL, PASSWORD)
    yield
    with production_app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def development_app(monkeypatch, tmp_path):
    """A development app without Redis, its instance folder (SQLite, sessions) in tmp_path.

    Passwords get the testing hash.
    """
    monkeypatch.setattr(app_package, "INSTANCE_PATH", tmp_path)
    app = with_compiled_templates(create_app("development"))
    app.config["PASSWORD_HASH_METHOD"] = TESTING_HASH_METHOD
    yield app
    dispose(app)


@pytest.fixture
def add_view(app):
    """Mount a test-only view on ``app``: ``add_view("/boom", boom, public=True)``.

    Call it before the test's first request (a Flask app takes no new routes
    once it has served one). The view is private, like every view, unless
    ``public``; its endpoint is its path.
    """

    def add(path, view, public=False, methods=("GET",)):
        app.add_url_rule(path, path, guard.public(view) if public else view, methods=list(methods))
        return view

    return add


@pytest.fixture
def migration_app(monkeypatch, tmp_path):
    """A testing app on an empty SQLite file of its own, inside its app context.

    Migration tests never touch the TEST_DATABASE_URL database. Alembic's
    env.py configures logging from alembic.ini; that is undone afterwards.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setenv("TEST_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    app = create_app("testing")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].client.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def add_user_as_in_0001(email, password):
    """Insert a user with only the columns migration 0001 made (the model has more now).

    For tests that upgrade a database holding users from an older revision.
    """
    users = table(
        "users",
        column("email"),
        column("password_hash"),
        column("created_at", UTCDateTime()),
    )
    method = current_app.config["PASSWORD_HASH_METHOD"]
    db.session.execute(
        insert(users).values(
            email=normalize_email(email),
            password_hash=generate_password_hash(password, method=method),
            created_at=utcnow(),
        )
    )
    db.session.commit()

"""The data the measured requests need: a throwaway user, logged in{% if cookiecutter.use_example_notes %}, with 20 notes{% endif %}.

The user is created in-process (no registration form, so the registration
rate limit is never spent), then everything a client does is done the way a
client does it: the login form with its CSRF token gives the session
cookie{% if cookiecutter.use_api %}, and ``POST /api/v1/tokens`` gives a bearer token{% endif %}.{% if cookiecutter.use_example_notes %} The notes are
created in-process too, so {% if cookiecutter.use_api %}the notes list serves{% else %}the dashboard shows{% endif %} a full page.{% endif %}
Afterwards the session is logged out, the sessions it left in Redis are
deleted, and so is the user; {% if cookiecutter.use_api or cookiecutter.use_example_notes %}its data goes with it (``ON DELETE CASCADE``){% else %}it has no other data{% endif %}.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import delete

from bench.browser import csrf_token
{%- if cookiecutter.use_example_notes %}

NOTE_COUNT = 20
{%- endif %}


class FixtureError(Exception):
    """Setting up the benchmark's data failed; the message says where."""


@dataclass
class Visitor:
    """The bench user: who it is and the credentials its requests carry."""

    user_id: int
    email: str
    password: str
    cookies: dict
{%- if cookiecutter.use_api %}
    token: str
{%- endif %}

    def cookie_headers(self):
        """Headers that send the session cookie, as a browser would."""
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

{%- if cookiecutter.use_api %}

    def bearer_headers(self):
        """Headers that send the API token."""
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
{%- endif %}


def create_user(app):
    """Create a user with a random email and password; return (id, email, password)."""
    from app.auth.accounts import create_account

    email = f"bench-{secrets.token_hex(6)}@example.com"
    password = secrets.token_urlsafe(18)
    with app.app_context():
        user = create_account(email, password)
        return user.id, email, password


def delete_user(app, user_id):
    """Delete the user (the database deletes what it owns with it)."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()


def log_in(browser, email, password):
    """Log in through the HTML form; the browser then holds the session cookie."""
    page = browser.request("GET", "/auth/login")
    token = csrf_token(page.text)
    if page.status != 200 or token is None:
        raise FixtureError(f"GET /auth/login answered {page.status} without a CSRF token")
    form = {"csrf_token": token, "email": email, "password": password}
    answer = browser.request("POST", "/auth/login", form=form)
    if answer.status != 302 or "/auth/login" in answer.headers.get("location", ""):
        raise FixtureError(f"logging in answered {answer.status}, not a redirect to the app")
    if not browser.cookies:
        raise FixtureError("logging in set no session cookie")


{% if cookiecutter.use_api -%}
def issue_token(browser, email, password):
    """A bearer token from ``POST /api/v1/tokens``."""
    answer = browser.request(
        "POST", "/api/v1/tokens", json_body={"email": email, "password": password}
    )
    if answer.status != 201:
        raise FixtureError(f"POST /api/v1/tokens answered {answer.status}: {answer.text[:200]}")
    return answer.json()["token"]


{% endif -%}
{% if cookiecutter.use_example_notes -%}
def add_notes(app, user_id, count=NOTE_COUNT):
    """Save ``count`` notes for the user, as the notes service does."""
    from types import SimpleNamespace

    from app.notes.service import create_note

    owner = SimpleNamespace(id=user_id)
    with app.app_context():
        for number in range(1, count + 1):
            create_note(owner, f"Bench note {number}", "A note for the benchmark. " * 8)


{% endif -%}
def prepare_visitor(app, browser):
    """Create the bench user and its data, log it in; return the Visitor.

    On failure the user is deleted again before the error is raised.
    """
    user_id, email, password = create_user(app)
    try:
{%- if cookiecutter.use_example_notes %}
        add_notes(app, user_id)
{%- endif %}
        log_in(browser, email, password)
{%- if cookiecutter.use_api %}
        token = issue_token(browser, email, password)
{%- endif %}
    except BaseException:
        delete_user(app, user_id)
        raise
    return Visitor(user_id, email, password, dict(browser.cookies){% if cookiecutter.use_api %}, token{% endif %})


def log_out(browser):
    """Log the browser out (the stored session is deleted); never raises."""
    try:
        page = browser.request("GET", "/dashboard")
        token = csrf_token(page.text)
        if token is not None:
            browser.request("POST", "/auth/logout", form={"csrf_token": token})
    except OSError:
        pass


def delete_sessions(app, session_ids):
    """Delete the stored sessions with these ids (the one logging out leaves, too)."""
    client = app.extensions["redis"].client
    if client is not None and session_ids:
        prefix = app.config["SESSION_KEY_PREFIX"]
        client.delete(*(prefix + session_id for session_id in session_ids))


def remove_visitor(app, browser, visitor):
    """Log the bench user out, delete its sessions, and the user with its data."""
    log_out(browser)
    session_name = app.config["SESSION_COOKIE_NAME"]
    session_ids = {
        jar[session_name] for jar in (visitor.cookies, browser.cookies) if session_name in jar
    }
    delete_sessions(app, session_ids)
    delete_user(app, visitor.user_id)

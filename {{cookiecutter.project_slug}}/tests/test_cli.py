"""The ``flask`` / ``manage.py`` commands and the shell context."""

import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup
from sqlalchemy import func, select

import manage
from app.auth.models import User
from app.extensions import db


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_create_user_makes_a_user_who_can_log_in(runner, auth):
    result = runner.invoke(
        args=["create-user", "grace@example.com", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    assert "Created user grace@example.com" in result.output
    assert auth.login("grace@example.com", "a-long-password").headers["Location"] == "/dashboard"


def test_create_user_asks_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["create-user", "Grace@Example.com"], input="a-long-password\na-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert "a-long-password" not in result.output
    with app.app_context():
        assert User.find_by_email("grace@example.com").check_password("a-long-password")


def test_create_user_gives_up_when_the_passwords_differ(app, runner):
    result = runner.invoke(
        args=["create-user", "grace@example.com"], input="a-long-password\nsomething-else\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count_users(app) == 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "a-long-password", "Invalid email address"),
        ("grace@example.com", "short", "Password must be between 8 and 128 characters long."),
        ("ada@example.com", "a-long-password", "An account with this email already exists."),
        ("ADA@example.com", "a-long-password", "An account with this email already exists."),
    ],
    ids=["invalid-email", "short-password", "duplicate", "duplicate-other-case"],
)
def test_create_user_refuses_bad_input_with_a_clear_message(
    app, runner, user, email, password, message
):
    result = runner.invoke(args=["create-user", email, "--password", password])
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output
    assert count_users(app) == 1


def test_the_shell_preloads_db_and_user(app):
    with app.app_context():
        context = app.make_shell_context()
    assert context["db"] is db
    assert context["User"] is User


def test_manage_py_is_a_flask_group():
    assert isinstance(manage.cli, FlaskGroup)


def test_manage_py_lists_the_commands(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "testing")
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")  # the project's .env is not for tests
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # FlaskGroup sets it; restore it afterwards
    result = CliRunner().invoke(manage.cli, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("create-user", "db", "run", "shell", "routes"):
        assert f"  {command} " in result.output

"""Commands for ``flask`` and ``python manage.py``, and the shell's preloaded names."""

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.auth.accounts import AccountError, create_account
{%- if cookiecutter.use_admin %}
from app.auth.audit import Actor
{%- endif %}
from app.auth.models import User
{%- if cookiecutter.use_admin %}
from app.auth.roles import set_admin
{%- endif %}
from app.extensions import db
from app.infrastructure.deploy_check import find_deploy_problems
from app.infrastructure.job_commands import jobs_command, worker_command


@click.command("create-user")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new user's password (asked for when not given).",
)
{%- if cookiecutter.use_admin %}
@click.option("--admin", is_flag=True, help="Make the new user an administrator.")
{%- endif %}
@with_appcontext
def create_user_command(email: str, password: str{% if cookiecutter.use_admin %}, admin: bool{% endif %}) -> None:
    """Create a user who can log in with EMAIL and the password{% if cookiecutter.use_admin %} (an administrator
    with --admin){% endif %}."""
    try:
        user = create_account(email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
{%- if cookiecutter.use_admin %}
    if admin:  # audited with the command line, never the password
        set_admin(user, True, Actor(f"{click.get_current_context().command_path} {email} --admin"))
        click.echo(f"Created administrator {user.email} (id {user.id}).")
        return
{%- endif %}
    click.echo(f"Created user {user.email} (id {user.id}).")


@click.command("check-deploy")
@with_appcontext
def check_deploy_command() -> None:
    """Check that this configuration is fit for production; exit 1 if not."""
    problems = find_deploy_problems(current_app)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(
        "Deploy check passed: production settings, database at head, Redis answering, "
        "mail server accepting."
    )


def shell_context() -> dict[str, Any]:
    """Names available in ``flask shell`` without importing them."""
    return {"db": db, "User": User}


def init_app(app: Flask) -> None:
    """Attach the commands to the app's CLI group."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(check_deploy_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_command)
    app.shell_context_processor(shell_context)

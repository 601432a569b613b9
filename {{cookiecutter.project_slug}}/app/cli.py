"""Commands for ``flask`` and ``python manage.py``, and the shell's preloaded names."""

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.auth.accounts import AccountError, create_account
from app.auth.models import User
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
@with_appcontext
def create_user_command(email: str, password: str) -> None:
    """Create a user who can log in with EMAIL and the password."""
    try:
        user = create_account(email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
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

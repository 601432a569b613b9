"""``manage.py admin grant EMAIL`` and ``manage.py admin revoke EMAIL``.

They go through the same rules as the admin pages (``app/auth/roles.py``):
revoking the last enabled administrator fails and changes nothing, and
each change is audited with the command line as its actor.
"""

import click

from app.admin import bp
from app.auth.audit import Actor
from app.auth.models import User
from app.auth.roles import RoleError, set_admin
from app.extensions import db


def command_actor(email: str) -> Actor:
    """The audit log's actor for this command: its command line (never a password)."""
    return Actor(f"{click.get_current_context().command_path} {email}")


def find_user(email: str) -> User:
    """The user with ``email``, or a one-line error and a non-zero exit."""
    user = User.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email {email}.")
    return user


def change_role(email: str, is_admin: bool) -> None:
    """Grant or revoke the administrator role of ``email``'s user."""
    user = find_user(email)
    try:
        set_admin(user, is_admin, command_actor(email))
    except RoleError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None


@bp.cli.command("grant")
@click.argument("email")
def grant_command(email: str) -> None:
    """Make the user with EMAIL an administrator."""
    change_role(email, True)
    click.echo(f"{email} is now an administrator.")


@bp.cli.command("revoke")
@click.argument("email")
def revoke_command(email: str) -> None:
    """Take the administrator role from the user with EMAIL (never the last one's)."""
    change_role(email, False)
    click.echo(f"{email} is no longer an administrator.")

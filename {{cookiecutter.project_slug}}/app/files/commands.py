"""``flask files orphans``: keys in storage that no row names, and rows whose file is gone.

Storing and deleting keep the two in step (``service.py``), but a process
killed between the two steps leaves a file behind; this command finds it.
"""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.files.models import StoredFile
from app.infrastructure.storage import storage

files_command = AppGroup("files", help="Stored files.")


@files_command.command("orphans")
def orphans_command() -> None:
    """List keys no row names, and rows whose key is missing from storage; exit 1 if any.

    A key listed may belong to an upload still in progress (the file is
    stored a moment before its row): check twice before removing one.
    """
    named = db.session.execute(select(StoredFile.key, StoredFile.id))
    rows: dict[str, int] = {row.key: row.id for row in named}
    stored = set(storage().keys())
    unnamed = sorted(stored - set(rows))
    missing = sorted(set(rows) - stored)
    for key in unnamed:
        click.echo(f"key without row: {key}")
    for key in missing:
        click.echo(f"row without file: stored_files.id={rows[key]} key={key}")
    click.echo(f"{len(unnamed)} key(s) without a row, {len(missing)} row(s) without a file.")
    if unnamed or missing:
        raise click.exceptions.Exit(1)


def init_app(app: Flask) -> None:
    """Attach ``flask files`` to the app's CLI."""
    app.cli.add_command(files_command)

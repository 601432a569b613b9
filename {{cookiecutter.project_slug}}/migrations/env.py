"""Alembic's environment, run by every ``flask db`` command.

Based on Flask-Migrate's template: the engine and metadata come from the
app, so there is one place (config) that says which database to use.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from app.infrastructure.database import UTCDateTime

config = context.config
# Keep the app's own loggers alive when Alembic configures logging.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Write the app's UTCDateTime columns as plain ``sa.DateTime(timezone=True)``.

    Migrations then depend only on SQLAlchemy, never on app code that may
    change after they were written.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(context, revision, directives):
    """Write no migration file when ``flask db migrate`` finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    """Emit SQL for ``flask db upgrade --sql`` without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Apply migrations over a connection from the app's engine."""
    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    configure_args.setdefault("render_item", render_item)
    with target_db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # The app turns SQLite's foreign keys on (app/infrastructure/database.py).
            # Off here: a batch migration copies a table, drops it and renames the
            # copy, and with them on, dropping it would cascade to the rows
            # that refer to it. (The pragma only takes effect outside a transaction.)
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **configure_args
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

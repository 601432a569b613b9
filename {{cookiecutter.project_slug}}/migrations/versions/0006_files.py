"""Create stored_files (every file a user stores), users.avatar_id{% if cookiecutter.use_example_notes %} and note_attachments{% endif %}.

Revision ID: 0006_files
Revises: {{ "0005_roles" if cookiecutter.use_admin else "0004_email_confirmation" }}
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_files"
down_revision = "{{ '0005_roles' if cookiecutter.use_admin else '0004_email_confirmation' }}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_stored_files_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_files_key")),
    )
    op.create_index(
        op.f("ix_stored_files_owner_id"), "stored_files", ["owner_id"], unique=False
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("avatar_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_avatar_id_stored_files"),
            "stored_files",
            ["avatar_id"],
            ["id"],
            ondelete="SET NULL",
        )
{%- if cookiecutter.use_example_notes %}
    op.create_table(
        "note_attachments",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_note_attachments_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_attachments_note_id_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_note_attachments")),
    )
    op.create_index(
        op.f("ix_note_attachments_note_id"), "note_attachments", ["note_id"], unique=False
    )
{%- endif %}


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_avatar_id_stored_files"), type_="foreignkey")
        batch_op.drop_column("avatar_id")
{%- if cookiecutter.use_example_notes %}
    op.drop_index(op.f("ix_note_attachments_note_id"), table_name="note_attachments")
    op.drop_table("note_attachments")
{%- endif %}
    op.drop_index(op.f("ix_stored_files_owner_id"), table_name="stored_files")
    op.drop_table("stored_files")

"""Create the notes table (the notes example).

Revision ID: 0003_notes
Revises: {{ "0002_api_tokens" if cookiecutter.use_api else "0001" }}
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_notes"
down_revision = "{{ '0002_api_tokens' if cookiecutter.use_api else '0001' }}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_notes_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(
        "ix_notes_owner_id_created_at", "notes", ["owner_id", "created_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_notes_owner_id_created_at", table_name="notes")
    op.drop_table("notes")

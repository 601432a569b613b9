"""Add users.email_confirmed_at (email confirmation).

Revision ID: 0004_email_confirmation
Revises: {{ "0003_notes" if cookiecutter.use_example_notes else ("0002_api_tokens" if cookiecutter.use_api else "0001") }}
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_email_confirmation"
down_revision = "{{ '0003_notes' if cookiecutter.use_example_notes else ('0002_api_tokens' if cookiecutter.use_api else '0001') }}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_confirmed_at")

"""Add api_tokens.name (the name a token is given on the tokens page).

Revision ID: 0007_api_token_names
Revises: {{ "0006_files" if cookiecutter.use_uploads else ("0005_roles" if cookiecutter.use_admin else "0004_email_confirmation") }}
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_api_token_names"
down_revision = "{{ '0006_files' if cookiecutter.use_uploads else ('0005_roles' if cookiecutter.use_admin else '0004_email_confirmation') }}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("name")

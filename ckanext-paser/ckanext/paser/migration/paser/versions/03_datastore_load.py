"""Create the DataStore load status: one row per table resource, what the loader last did with its file.

Revision ID: 03b8e2f4a6c1
Revises: 02a7d5c1e9b4
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "03b8e2f4a6c1"
down_revision = "02a7d5c1e9b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paser_datastore_load",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        # The file the status is about (url, last_modified, size, format): a save that keeps it queues no reload.
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("rows", sa.BigInteger),  # rows in the DataStore table after the last successful load
        sa.Column("loaded_at", sa.DateTime(timezone=True)),  # the last successful load
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.UnicodeText),  # English msgid of the last failure, filled with params when shown
        sa.Column("params", postgresql.JSONB),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'error')",
                           name="paser_datastore_load_status_check"),
    )
    op.create_index("paser_datastore_load_package_id_idx", "paser_datastore_load", ["package_id"])


def downgrade():
    op.drop_table("paser_datastore_load")

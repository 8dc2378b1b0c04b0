"""Create the consistency flags: findings of the rules, the datasets each involves, their status history, and the
datasets the hold mode keeps private.

Revision ID: 02a7d5c1e9b4
Revises: 01c4e9a7b3f2
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "02a7d5c1e9b4"
down_revision = "01c4e9a7b3f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paser_flag",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("key", sa.UnicodeText, nullable=False, unique=True),  # the finding's identity across runs
        sa.Column("scope", sa.UnicodeText, nullable=False),  # indicator:…, resource:… or dataset:…
        sa.Column("rule", sa.UnicodeText, nullable=False),
        sa.Column("severity", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText, nullable=False),  # msgid, filled with params when shown
        sa.Column("params", postgresql.JSONB, nullable=False),
        sa.Column("indicator", sa.UnicodeText),
        sa.Column("region_code", sa.UnicodeText),
        sa.Column("period", sa.UnicodeText),
        sa.Column("figures", postgresql.JSONB, nullable=False),
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_automatically", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.UnicodeText),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="paser_flag_status_check"),
        sa.CheckConstraint("severity IN ('error', 'warning')", name="paser_flag_severity_check"),
    )
    op.create_index("paser_flag_scope_idx", "paser_flag", ["scope"])
    op.create_index("paser_flag_status_created_idx", "paser_flag", ["status", "created"])
    op.create_index("paser_flag_region_code_idx", "paser_flag", ["region_code"])

    op.create_table(
        "paser_flag_dataset",
        sa.Column("flag_id", sa.UnicodeText, sa.ForeignKey("paser_flag.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText),
    )
    op.create_index("paser_flag_dataset_package_id_idx", "paser_flag_dataset", ["package_id"])

    op.create_table(
        "paser_flag_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("flag_id", sa.UnicodeText, sa.ForeignKey("paser_flag.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.UnicodeText),  # NULL: changed by the portal itself
        sa.Column("status_from", sa.UnicodeText),
        sa.Column("status_to", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText),
    )
    op.create_index("paser_flag_history_flag_id_idx", "paser_flag_history", ["flag_id"])

    # Datasets kept private by the hold mode until their error flags are resolved.
    op.create_table(
        "paser_hold",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("paser_hold")
    op.drop_table("paser_flag_history")
    op.drop_table("paser_flag_dataset")
    op.drop_table("paser_flag")

"""Create the figures store: normalised figures per resource and each resource's check status.

Revision ID: 01c4e9a7b3f2
Revises:
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "01c4e9a7b3f2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paser_figure",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("resource_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),  # the producer (OPD) owning the dataset
        sa.Column("indicator", sa.UnicodeText, nullable=False),
        sa.Column("region_code", sa.UnicodeText, nullable=False),  # Kemendagri
        sa.Column("region_level", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText),
        sa.Column("value", sa.Numeric, nullable=False),
        sa.Column("unit", sa.UnicodeText),
        sa.Column("sheet", sa.UnicodeText),
        sa.Column("cell", sa.UnicodeText),
    )
    op.create_index("paser_figure_indicator_region_period_idx", "paser_figure",
                    ["indicator", "region_code", "period"])
    op.create_index("paser_figure_resource_id_idx", "paser_figure", ["resource_id"])
    op.create_index("paser_figure_package_id_idx", "paser_figure", ["package_id"])

    op.create_table(
        "paser_resource_check",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("figures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("problems", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.UnicodeText),  # English text of the failure
        sa.Column("error_message", sa.UnicodeText),  # its msgid and parameters, to show it translated
        sa.Column("error_params", postgresql.JSONB),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'error')",
                           name="paser_resource_check_status_check"),
    )
    op.create_index("paser_resource_check_package_id_idx", "paser_resource_check", ["package_id"])


def downgrade():
    op.drop_table("paser_resource_check")
    op.drop_table("paser_figure")

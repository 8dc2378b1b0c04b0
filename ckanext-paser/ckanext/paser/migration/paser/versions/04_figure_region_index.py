"""Index the figures by region code for the kecamatan export (a kecamatan and its desa: `= code OR LIKE 'code.%'`).

Revision ID: 04c9f3a5b7d2
Revises: 03b8e2f4a6c1
Create Date: 2026-11-28
"""
from alembic import op

revision = "04c9f3a5b7d2"
down_revision = "03b8e2f4a6c1"
branch_labels = None
depends_on = None


def upgrade():
    # text_pattern_ops: a prefix LIKE can use the index whatever the database's collation.
    op.execute("CREATE INDEX paser_figure_region_code_idx ON paser_figure (region_code text_pattern_ops)")


def downgrade():
    op.drop_index("paser_figure_region_code_idx", table_name="paser_figure")

"""Dataset names as a column: exact look-ups by name (CKAN's `search-index show`, deletes) use an index.

Names, ids and other values unique to each dataset stay out of the term dictionary from now on.

Revision ID: 04d1f2b8a6e5
Revises: 03c9e1a7f4d2
Create Date: 2026-11-28
"""
from alembic import op

revision = "04d1f2b8a6e5"
down_revision = "03c9e1a7f4d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('ALTER TABLE paser_search_document ADD COLUMN name text COLLATE "C"')
    op.execute("UPDATE paser_search_document SET name = stored ->> 'name'")
    op.execute("CREATE INDEX paser_search_document_name_idx ON paser_search_document (name)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS paser_search_document_name_idx")
    op.execute("ALTER TABLE paser_search_document DROP COLUMN name")

"""B-tree indexes in the order CKAN sorts by, missing values last as in Solr.

A page of `*:*` sorted by `metadata_modified desc` (CKAN's default after relevance) or by title can
then be read from an index instead of sorting every match.

Revision ID: 03c9e1a7f4d2
Revises: 02b8d4f6e3c1
Create Date: 2026-11-28
"""
from alembic import op

revision = "03c9e1a7f4d2"
down_revision = "02b8d4f6e3c1"
branch_labels = None
depends_on = None

INDEXES = {
    "paser_search_document_modified_desc_idx": "(metadata_modified DESC NULLS LAST, index_id)",
    "paser_search_document_modified_asc_idx": "(metadata_modified ASC NULLS LAST, index_id)",
    "paser_search_document_created_desc_idx": "(metadata_created DESC NULLS LAST, index_id)",
    "paser_search_document_title_asc_idx": "(title_string ASC NULLS LAST, index_id)",
    "paser_search_document_title_desc_idx": "(title_string DESC NULLS LAST, index_id)",
}
REPLACED = ("paser_search_document_modified_idx", "paser_search_document_title_idx")


def upgrade() -> None:
    for name in REPLACED:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON paser_search_document {columns}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE INDEX paser_search_document_modified_idx ON paser_search_document (metadata_modified)")
    op.execute("CREATE INDEX paser_search_document_title_idx ON paser_search_document (title_string)")

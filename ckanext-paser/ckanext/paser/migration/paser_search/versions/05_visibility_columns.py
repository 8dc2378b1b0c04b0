"""Columns for the filters CKAN adds to every query (site, state, type, capacity, permission labels).

Every search is filtered by site_id, state, dataset type and the user's permission labels; as plain
columns these compare far faster than through the term codes, which matters when a filter matches
nearly every dataset (`*:*`). A version sequence lets processes cache results until the index changes.

Revision ID: 05e2a9c4b7f3
Revises: 04d1f2b8a6e5
Create Date: 2026-11-28
"""
from alembic import op

revision = "05e2a9c4b7f3"
down_revision = "04d1f2b8a6e5"
branch_labels = None
depends_on = None

SCALARS = ("state", "dataset_type", "entity_type", "capacity")


def upgrade() -> None:
    for column in SCALARS:
        op.execute(f'ALTER TABLE paser_search_document ADD COLUMN {column} text COLLATE "C"')
        op.execute(f"UPDATE paser_search_document SET {column} = fields -> '{column}' ->> 0")
    op.execute('ALTER TABLE paser_search_document ADD COLUMN permission_labels text[] COLLATE "C" '
               "NOT NULL DEFAULT '{}'")
    op.execute("UPDATE paser_search_document SET permission_labels = ARRAY("
               "SELECT jsonb_array_elements_text(coalesce(fields -> 'permission_labels', '[]')))")
    op.execute("CREATE SEQUENCE IF NOT EXISTS paser_search_version")


def downgrade() -> None:
    op.execute("DROP SEQUENCE IF EXISTS paser_search_version")
    for column in (*SCALARS, "permission_labels"):
        op.execute(f"ALTER TABLE paser_search_document DROP COLUMN {column}")

"""Alembic environment for the paser tables (see ../alembic_env.py)."""
from ckanext.paser.migration.alembic_env import run

run(__file__)

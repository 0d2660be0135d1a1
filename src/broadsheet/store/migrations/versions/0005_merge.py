"""Merge the three capability branches (0002 furniture, 0003 stories, 0004 understanding)
into one head, so every later migration has one parent and `alembic heads` shows one.

Revision ID: 0005
Revises: 0002, 0003, 0004
"""

from __future__ import annotations

revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

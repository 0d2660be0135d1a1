"""Run the numbered Alembic migrations in migrations/versions up to the head.

The history is one line: 0002 furniture, 0003 stories and 0004 understanding were built
side by side from 0001 and are joined by the merge revision 0005; every later migration
names the one before it. ``heads`` is kept as the target so a branch being built beside
another still applies.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def upgrade(engine: Engine, revision: str = "heads") -> None:
    cfg = Config()
    cfg.set_main_option("script_location", "broadsheet.store:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

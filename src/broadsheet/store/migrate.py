"""Run the numbered Alembic migrations in migrations/versions up to every head.

Each capability adds its tables in its own migration branching from the one it needs
(0002 furniture, 0003 stories, 0004 understanding all branch from 0001), so they can be
built side by side; ``heads`` applies them all.
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

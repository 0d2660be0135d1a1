"""Run the numbered Alembic migrations in migrations/versions up to the head.

The history is one line: 0002 furniture, 0003 stories and 0004 understanding were built
side by side from 0001 and are joined by the merge revision 0005; every later migration
names the one before it. ``heads`` is kept as the target so a branch being built beside
another still applies.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "broadsheet.store:migrations")
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated); several joined by ','."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head() -> str:
    """The revision the migrations lead to (their heads joined by ',')."""
    return ",".join(sorted(ScriptDirectory.from_config(_config()).get_heads()))

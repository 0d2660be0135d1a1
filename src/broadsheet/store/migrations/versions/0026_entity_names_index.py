"""An entity's page name read from an index alone: (entity_id, sort_at, article_id) widened
with the mention's name and label. The page names an entity by the spelling most of its
latest 200 mentions use (``understanding.entity_name``); with the old index each of those
200 mentions was a look-up of its table row, scattered over the table (4.3M rows at 1M
articles): 1.4 ms of CPU per entity page and, on a cold cache, up to 200 page reads - the
entity page's slow tail. Now the 200 are read in order from a few index pages. The index
replaces ix_article_entities_entity_id_sort (it leads with the same columns, so the entity
page's list walks it in the same order).

Revision ID: 0026
Revises: 0025
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_article_entities_entity_named",
        "article_entities",
        ["entity_id", "sort_at", "article_id", "name", "label"],
    )
    op.drop_index("ix_article_entities_entity_id_sort", table_name="article_entities")


def downgrade() -> None:
    op.create_index(
        "ix_article_entities_entity_id_sort",
        "article_entities",
        ["entity_id", "sort_at", "article_id"],
    )
    op.drop_index("ix_article_entities_entity_named", table_name="article_entities")

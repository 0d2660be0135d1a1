"""The curated default sources, and importing a list of outlines into the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from broadsheet.errors import StoreError
from broadsheet.ingest.opml import parse_opml
from broadsheet.models import OPMLOutline
from broadsheet.store import Store

SEEDED_KEY = "default_sources_seeded"


@dataclass
class ImportResult:
    added: int = 0
    existing: int = 0
    rejected: list[str] = field(default_factory=list)


def default_outlines() -> list[OPMLOutline]:
    body = resources.files("broadsheet").joinpath("defaults/feeds.opml").read_bytes()
    outlines, _warnings = parse_opml(body)
    return outlines


def import_outlines(
    store: Store, outlines: list[OPMLOutline], warnings: list[str] | None = None
) -> ImportResult:
    """Add each outline as a source; bad or existing rows are counted, the rest imported."""
    result = ImportResult(rejected=list(warnings or []))
    for item in outlines:
        if store.get_source_by_url(item.url) is not None:
            result.existing += 1
            continue
        try:
            store.add_source(
                item.url,
                name=item.name or item.url,
                site_url=item.site_url,
                country=(getattr(item, "country", None) or None),
                language=(getattr(item, "language", None) or None),
                category=item.category,
            )
        except StoreError as exc:
            result.rejected.append(f"{item.url}: {exc}")
            continue
        result.added += 1
    return result


def seed_defaults(store: Store) -> ImportResult | None:
    """Seed the curated list once into a database that has never been seeded and is empty."""
    if store.get_meta(SEEDED_KEY) is not None:
        return None
    result = import_outlines(store, default_outlines()) if not store.list_sources() else None
    store.set_meta(SEEDED_KEY, "1")
    return result

"""Articles from JSON Lines into the store through the steps (``import``, ``cluster``).

Records are taken ``BATCH`` at a time: one transaction saves a batch (the same URL is
never stored twice, so importing a file again adds nothing), its new articles are
understood concurrently in the worker pool, then placed in stories in input order.
Each outlet name becomes a source: an existing source of that name, else a disabled one
(``urn:broadsheet:import:<name>``: it has no feed to poll).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from broadsheet.config import Settings
from broadsheet.ingest.jsonl import Record
from broadsheet.jobs.pool import WorkerPool
from broadsheet.orchestrate.steps import Added, Steps
from broadsheet.store import Store

BATCH = 200  # records per save transaction and per understanding round
SOURCE_PREFIX = "urn:broadsheet:import:"


@dataclass
class ImportReport:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    failures: list[str] = field(default_factory=list)  # after the save (repaired later)


class Importer:
    def __init__(
        self, settings: Settings, store: Store, pool: WorkerPool, source_prefix: str = SOURCE_PREFIX
    ) -> None:
        self.settings = settings
        self.store = store
        self.steps = Steps(settings, store, pool, learn_furniture=False)
        self.prefix = source_prefix
        self._sources: dict[str, int] | None = None

    def source_id(self, name: str) -> int:
        """The source an outlet name stands for, created (disabled) when unknown."""
        if self._sources is None:
            self._sources = {}
            for s in self.store.list_sources():
                self._sources.setdefault(s.name, s.id)
        if name not in self._sources:
            url = f"{self.prefix}{name}"
            found = self.store.get_source_by_url(url)
            if found is None:
                found = self.store.add_source(
                    url, name, enabled=False, disabled_reason="imported articles; no feed"
                )
            self._sources[name] = found.id
        return self._sources[name]

    async def add(self, records: list[Record], clock: datetime | None = None) -> list[Added]:
        """Store one batch through the steps; an undated record counts as fetched at
        ``clock`` (default: now)."""
        now = clock or datetime.now(UTC)
        items = [
            (self.source_id(r.source), r.article, r.fetched or r.article.published or now)
            for r in records
        ]
        return await self.steps.add_batch(items)

    async def run(self, records: Iterable[Record], report: ImportReport) -> ImportReport:
        try:
            for batch in batched(records, BATCH):
                for added in await self.add(batch):
                    report.read += 1
                    if isinstance(added.result, int):
                        report.added += 1
                    else:
                        report.duplicates += 1
                    report.failures.extend(added.failures)
        finally:
            await self.close()
        return report

    async def close(self) -> None:
        """Stop the steps' writer thread (after what it has queued)."""
        await self.steps.close()


def batched(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

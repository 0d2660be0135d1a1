"""What one request to each page costs as the store grows: SQL statements and time.

    .venv/bin/python bench/page_cost.py fill DATA_DIR [--articles 50000]
    .venv/bin/python bench/page_cost.py measure DATA_DIR [--runs 15]

``fill`` writes a synthetic store through the Store API (articles from 20 outlets, the
understanding rows of every article, stories of about ten articles plus one story of
500; a few entities, countries and topics that tag a large share of the articles, as
real ones do). ``measure`` renders every page through the real ASGI app in this process
(one app; the top stories' ranking cache emptied before each request, except for the
row "home (ranking cached)": it is refreshed in the background once a minute) and
prints per page the SQL statements run and the median and p95 time. Run ``measure``
with an older checkout on PYTHONPATH to compare (``fill`` with the older one too: this
version's first ``Store.open`` migrates it).

The text is synthetic (no data set needed); this is a quick check of the pages' cost,
not the web benchmark (bench/web.py drives a real server with concurrent clients).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
OUTLETS = 20
STORY_SIZE = 10
BIG_STORY = 500
HOT_ENTITY = "person:ada-lovelace"
WORDS = (
    "minister harbour council market storm election court river budget school hospital "
    "strike rail energy price vote summit treaty police fire climate farm bank trade "
    "union city village coast mountain report study science museum festival league"
).split()


def _text(rng: random.Random, words: int = 300) -> str:
    paragraphs = []
    for _ in range(words // 60):
        sentence = " ".join(rng.choice(WORDS) for _ in range(60))
        paragraphs.append(sentence.capitalize() + ".")
    return "\n\n".join(paragraphs)


def fill(data_dir: Path, articles: int) -> None:
    from broadsheet.config import Settings
    from broadsheet.extract import content_hash
    from broadsheet.models import Article
    from broadsheet.store import Store
    from broadsheet.store.stories import Change

    rng = random.Random(1)
    store = Store.open(Settings(data_dir=data_dir, default_sources=False))
    outlets = [
        store.add_source(f"https://o{i}.example/feed", name=f"Outlet {i}", country="GB").id
        for i in range(OUTLETS)
    ]
    started = time.perf_counter()
    pending: list[Any] = []
    story_left, next_story = 0, -1
    for n in range(articles):
        text = _text(rng)
        url = f"https://o{n % OUTLETS}.example/news/{n}"
        article = Article(
            url=url, canonical_url=url, title=f"Report {n}: " + " ".join(rng.sample(WORDS, 6)),
            text=text, html="".join(f"<p>{p}</p>" for p in text.split("\n\n")),
            published=NOW - timedelta(seconds=20 * (articles - n)), language="en",
            description=None if n % 3 else text[:200], content_hash=content_hash(text),
        )  # fmt: skip
        saved = store.save_article(outlets[n % OUTLETS], article, NOW)
        assert isinstance(saved, int), saved
        entities = [{"entity_id": f"org:o{rng.randrange(200)}", "label": "ORG", "text": "Org"}]
        if n % 5 == 0:
            entities.append({"entity_id": HOT_ENTITY, "label": "PERSON", "text": "Ada Lovelace"})
        features = {
            "entities": [{**e, "start": 0, "end": 3} for e in entities],
            "countries": [{"code": rng.choice(["GB", "FR", "DE", "US"]), "mentions": 1}],
            "topics": [{"topic": rng.choice(["science", "politics", "business"]), "score": 1.0}],
        }
        store.save_understanding(saved, features, dict.fromkeys(features, "bench"))
        # provisional story ids name stories within one batch; the first batch (the
        # first BIG_STORY articles) is the one big story
        if n < BIG_STORY:
            pending.append(Change(article_id=saved, story=-1))
        else:
            if story_left == 0:
                story_left, next_story = rng.randint(1, 2 * STORY_SIZE - 1), next_story - 1
            story_left -= 1
            pending.append(Change(article_id=saved, story=next_story))
        if len(pending) >= BIG_STORY or n == articles - 1:
            store.apply_story_changes(pending)
            pending, story_left, next_story = [], 0, -1
        if n and n % 5000 == 0:
            print(f"  {n} articles, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    store.close()
    print(f"filled {articles} articles in {time.perf_counter() - started:.0f} s")


def measure(data_dir: Path, runs: int) -> None:
    import httpx
    from sqlalchemy import event

    from broadsheet.config import Settings
    from broadsheet.store import Store
    from broadsheet.web.app import create_app

    settings = Settings(data_dir=data_dir, default_sources=False)
    store = Store.open(settings)
    with store.reader() as conn:
        big_story = conn.exec_driver_sql(
            "SELECT id FROM stories WHERE merged_into IS NULL ORDER BY article_count DESC LIMIT 1"
        ).scalar()
        article = conn.exec_driver_sql(
            f"SELECT article_id FROM story_articles WHERE story_id = {big_story} LIMIT 1"
        ).scalar()
    pages = {
        "home (ranking cold)": "/",
        "home (ranking cached)": "/#cached",
        "latest": "/latest",
        "article": f"/articles/{article}",
        "story (500 articles)": f"/stories/{big_story}",
        "entity (1 in 5 articles)": f"/entities/{HOT_ENTITY}",
        "place": "/places/gb",
        "topic": "/topics/science",
        "source": "/sources/1",
        "healthz": "/healthz",
    }
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    app = create_app(settings, store, clock=lambda: NOW)

    async def run_all() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def one(path: str) -> int:
                path, _, keep = path.partition("#")
                if not keep and hasattr(app.state, "stories_rank"):
                    del app.state.stories_rank  # this request ranks, as if cold
                return (await client.get(path)).status_code

            print(f"{'page':26} {'statements':>10} {'median ms':>10} {'p95 ms':>8}")
            for name, path in pages.items():
                statements.clear()
                status = await one(path)
                if status != 200:
                    print(f"{name:26} {'(' + str(status) + ')':>10}")
                    continue
                count = len(statements)
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    await one(path)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
                print(f"{name:26} {count:>10} {statistics.median(times):>10.1f} {p95:>8.1f}")

    asyncio.run(run_all())
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["fill", "measure"])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if args.action == "fill":
        fill(args.data_dir, args.articles)
    else:
        measure(args.data_dir, args.runs)


if __name__ == "__main__":
    main()

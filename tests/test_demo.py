"""End to end: the sample publisher's furniture-heavy pages through the real pipeline."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from broadsheet.config import Settings
from broadsheet.demo.content import OUTLETS, SAMPLE_NOTICE
from broadsheet.demo.publisher import SamplePublisher
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Store:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("demo"),
        allow_private_networks=True,
        per_host_delay=0,
        default_sources=False,
        extract_workers=1,
    )
    store = Store.open(settings)
    with SamplePublisher(articles_per_outlet=4) as publisher:
        for outlet in publisher.outlets:
            store.add_source(outlet.feed_url, name=outlet.name, country=outlet.country)
        report = asyncio.run(ingest_once(settings, store))
        assert report.failures == []
        assert report.new_articles == publisher.article_count
    return store


def test_every_article_has_its_headline_once_and_no_furniture(ingested: Store) -> None:
    furniture = [SAMPLE_NOTICE]
    for outlet in OUTLETS:
        f = outlet.bank.furniture
        furniture += [
            f.cookie,
            f.cookie_accept,
            f.app,
            f.newsletter,
            f.newsletter_button,
            f.share,
            f.rights,
        ]
    articles = ingested.latest_articles(100)
    assert len(articles) >= 16
    for article in articles:
        assert article.title and article.text.count(article.title) == 0, article.title
        assert article.author and article.published
        for line in furniture:
            assert line not in article.text, (article.url, line)
            assert line not in article.html, (article.url, line)
        assert len(article.text.split()) > 150  # the whole body, not a teaser


def test_outlets_get_their_icons_and_names(ingested: Store) -> None:
    sources = ingested.list_sources()
    assert {s.name for s in sources} == {o.name for o in OUTLETS}
    assert all(s.has_icon and s.error_count == 0 for s in sources)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_command_serves_the_site(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    log = tmp_path / "demo.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "broadsheet",
                "--data-dir",
                str(tmp_path / "data"),
                "demo",
                "--port",
                str(port),
                "--articles",
                "2",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        health = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60).json()
                if health["status"] == "ok":  # the site is up and its worker beats
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert health is not None and health["status"] == "ok", log.read_text()
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
        assert home.status_code == 200 and "Content-Security-Policy" in home.headers
        assert any(o.name in home.text for o in OUTLETS)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, -signal.SIGINT, 130), log.read_text()
    assert "Traceback" not in log.read_text() and "leaked semaphore" not in log.read_text()
    # the global --data-dir is honoured: the demo's database is kept there (issue 16)
    kept = Settings(data_dir=tmp_path / "data", default_sources=False)
    store = Store.open(kept)
    try:
        assert len(store.list_sources()) == len(OUTLETS)
    finally:
        store.close()

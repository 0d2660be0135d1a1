"""The Daily 8 by mail (issue 12): opt in and out on the account page, one mail per reader
and day through a real SMTP server (aiosmtpd on 127.0.0.1), plain text and HTML, an
unsubscribe link that works without signing in, and no second mail after a crash between
the server taking a message and the worker recording it (a real process killed mid-send)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from broadsheet import digest_mail
from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Mailbox, client, make_user, post_form, signed_in
from tests.stories import conftest as stories_fixtures
from tests.stories.sample import JAPAN, WIRE, at
from tests.support.postgres import pythonpath

outlets = stories_fixtures.outlets
add = stories_fixtures.add
news = stories_fixtures.news

NOW = at(80)  # 2024-05-16 18:00 UTC: the Japan quake and the wire story are that day's
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path, smtp: Mailbox) -> Settings:
    return Settings(
        data_dir=tmp_path,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_from="daily@broadsheet.example",
        public_url="https://news.example.org",
        secret_key="a test key, not a secret",
        smtp_timeout=60.0,  # the local mail server: a deadline no loaded machine misses
    )


@pytest.fixture
def app(settings: Settings, store: Store, news: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


def _subscribe(store: Store, settings: Settings, n: int) -> list[int]:
    ids = []
    for i in range(n):
        uid = make_user(store, settings, f"r{i}@example.org", f"Reader {i}")
        store.update_user(uid, digest=True)
        ids.append(uid)
    return ids


def _parts(message: Any) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def _link(message: Any) -> str:
    header = message["List-Unsubscribe"]
    found = re.fullmatch(r"<(https://news\.example\.org(/digest/unsubscribe/[^>]+))>", header)
    assert found, header
    return found.group(2)


def test_opt_in_on_the_account_page_and_one_mail_a_day(
    app: FastAPI, store: Store, settings: Settings, smtp: Mailbox
) -> None:
    uid = make_user(store, settings, "ada@example.org", "Ada")
    make_user(store, settings, "bob@example.org", "Bob")  # never asks
    c = signed_in(app, "ada@example.org", "https://news.example.org")
    page = c.get("/account")
    assert "The Daily 8 by mail" in page.text and 'name="digest"' in page.text
    r = post_form(c, "/account", "/account/digest", {"digest": "on", "edition": "world"})
    assert r.status_code == 200 and "You will get the Daily 8 by mail" in r.text
    user = store.get_user(uid)
    assert user is not None and user.digest and user.edition == "world"  # chosen, kept as such

    first = digest_mail.send_due(settings, store, NOW)
    assert (first.sent, first.failed, first.unknown) == (1, 0, 0)
    assert [m["To"] for m in smtp.messages] == ["ada@example.org"]
    mail = smtp.messages[0]
    assert str(make_header(decode_header(mail["Subject"]))) == (
        "The Daily 8 — Thursday, May 16, 2024"
    )
    parts = _parts(mail)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert JAPAN[0][0] in body and WIRE[0] in body
        assert "https://news.example.org/stories/" in body
        assert "https://news.example.org/daily/2024-05-16" in body  # the world's day
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _link(mail) in parts["text/plain"]

    again = digest_mail.send_due(settings, store, NOW + timedelta(hours=2))
    assert again.sent == 0 and len(smtp.messages) == 1  # once per reader and day
    assert store.digest_day_counts("2024-05-16") == {"sent": 1}

    r = post_form(c, "/account", "/account/digest", {"edition": "world"})  # box unticked
    assert "You will not get the Daily 8 by mail" in r.text
    digest_mail.send_due(settings, store, NOW + timedelta(days=1))
    assert len(smtp.messages) == 1


def test_a_french_readers_digest_is_in_french_and_links_their_edition(
    store: Store, settings: Settings, smtp: Mailbox, news: dict[str, int]
) -> None:
    fr = make_user(store, settings, "claire@example.org", "Claire")
    store.update_user(fr, digest=True, language="fr", edition="jp-ja")
    ar = make_user(store, settings, "amal@example.org", "Amal")
    store.update_user(ar, digest=True, language="ar")
    assert digest_mail.send_due(settings, store, NOW).sent == 2
    mails = {m["To"]: m for m in smtp.messages}

    french = mails["claire@example.org"]
    assert str(make_header(decode_header(french["Subject"]))) == (
        "Les 8 du jour — jeudi 16 mai 2024"
    )
    parts = _parts(french)
    for body in parts.values():
        assert "Bonjour Claire," in body and "Japon · 日本語" in body
        assert "1 média" in body and "Ne plus recevoir ces courriels" in body
        assert "https://news.example.org/daily/jp-ja/2024-05-16" in body  # their edition's
        assert "The Daily 8" not in body and "outlet" not in body  # no English left
        # the edition's local story (from the Japanese outlet) comes first
        assert body.index(JAPAN[0][0]) < body.index(WIRE[0])
    assert '<html lang="fr" dir="ltr">' in parts["text/html"]

    arabic = _parts(mails["amal@example.org"])
    assert '<html lang="ar" dir="rtl">' in arabic["text/html"]
    assert "مرحبًا Amal،" in arabic["text/plain"] and "ثمانية اليوم" in arabic["text/html"]
    # the stories' English text keeps its own direction inside the right-to-left mail
    assert '<h2 style="font-size:1.1em" dir="auto"><a' in arabic["text/html"]


def test_nothing_before_the_hour_and_no_mail_without_a_server(
    store: Store, settings: Settings, smtp: Mailbox, news: dict[str, int]
) -> None:
    _subscribe(store, settings, 1)
    early = NOW.replace(hour=settings.digest_hour - 1)
    assert digest_mail.send_due(settings, store, early).day is None
    unset = settings.model_copy(update={"smtp_host": None})
    assert digest_mail.send_due(unset, store, NOW).sent == 0
    assert smtp.messages == []


def test_the_unsubscribe_link_works_without_signing_in(
    app: FastAPI, store: Store, settings: Settings, smtp: Mailbox
) -> None:
    first, second = _subscribe(store, settings, 2)
    digest_mail.send_due(settings, store, NOW)
    links = {m["To"]: _link(m) for m in smtp.messages}
    anonymous = client(app)
    page = anonymous.get(links["r0@example.org"])
    assert page.status_code == 200 and "Stop the Daily 8 mails" in page.text
    assert store.get_user(first).digest  # opening the link (a mail scanner) changes nothing
    done = anonymous.post(links["r0@example.org"])  # the page's button: no session, no CSRF
    assert done.status_code == 200 and "no more Daily 8 mails" in done.text
    assert not store.get_user(first).digest
    # A mail program's one-click POST (RFC 8058)
    one_click = client(app).post(
        links["r1@example.org"],
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200 and not store.get_user(second).digest
    # forged, altered and absurd tokens
    token = links["r0@example.org"].rsplit("/", 1)[1]
    forged = digest_mail.unsubscribe_token("another key", first)
    for bad in (forged, token[:-2] + "xx", "x" * 500, "%00"):
        r = client(app).post(f"/digest/unsubscribe/{bad}")
        assert r.status_code == 400 and "not valid" in r.text, bad
    digest_mail.send_due(settings, store, NOW + timedelta(days=1))
    assert len(smtp.messages) == 2  # neither gets the next day's


def test_a_server_that_cannot_be_reached_is_tried_again(
    store: Store, settings: Settings, smtp: Mailbox, news: dict[str, int]
) -> None:
    _subscribe(store, settings, 1)
    dead = settings.model_copy(update={"smtp_port": _closed_port()})
    failed = digest_mail.send_due(dead, store, NOW)
    assert (failed.sent, failed.failed) == (0, 1)
    assert store.digest_day_counts("2024-05-16") == {"failed": 1}
    retried = digest_mail.send_due(settings, store, NOW)
    assert retried.sent == 1 and len(smtp.messages) == 1
    assert store.digest_day_counts("2024-05-16") == {"sent": 1}


def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


SENDER = """
import json, sys
from datetime import datetime
from broadsheet import digest_mail
from broadsheet.config import Settings
from broadsheet.store import Store
settings = Settings(**json.loads(sys.argv[1]))
store = Store.open(settings)
print(digest_mail.send_due(settings, store, datetime.fromisoformat(sys.argv[2])), flush=True)
"""


SENDER_SETTINGS = ("data_dir", "smtp_host", "smtp_port", "smtp_from", "smtp_timeout",
                   "public_url", "secret_key")  # fmt: skip


def _sender(settings: Settings) -> subprocess.Popen[str]:
    fields = {
        k: str(v) if isinstance(v, Path) else v
        for k, v in settings.model_dump().items()
        if k in SENDER_SETTINGS
    }
    env = {**os.environ, "PYTHONPATH": pythonpath(ROOT / "src")}  # the suite's backend too
    return subprocess.Popen(
        [sys.executable, "-c", SENDER, json.dumps(fields), NOW.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_crash_after_the_server_took_a_mail_never_sends_it_twice(
    store: Store, settings: Settings, smtp: Mailbox, news: dict[str, int]
) -> None:
    """The sender is killed (SIGKILL) while the server takes the second reader's mail,
    before it could record the send; the next run sends the third reader's only."""
    readers = _subscribe(store, settings, 3)
    victim: dict[str, subprocess.Popen[str]] = {}
    received = smtp.messages

    class KillOnSecond(list):  # the server keeps the mail, then the sender dies
        def append(self, item: Any) -> None:
            super().append(item)
            if len(self) == 2:
                os.kill(victim["proc"].pid, signal.SIGKILL)

    smtp.messages = KillOnSecond(received)
    victim["proc"] = proc = _sender(settings)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    assert [m["To"] for m in smtp.messages] == ["r0@example.org", "r1@example.org"]
    assert store.digest_day_counts("2024-05-16") == {"sent": 1, "sending": 1}

    again = _sender(settings)  # the worker restarts
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "sent=1" in out
    assert [m["To"] for m in smtp.messages] == [f"r{i}@example.org" for i in range(3)]
    assert store.digest_day_counts("2024-05-16") == {"sent": 2, "sending": 1}
    assert len(readers) == 3


def test_the_worker_sends_them(store: Store, settings: Settings, smtp: Mailbox, news: dict) -> None:
    """The real worker (its digest task beside polling) mails the day's eight once."""
    import time

    from broadsheet.jobs.worker import WorkerThread

    _subscribe(store, settings, 2)
    fast = settings.model_copy(update={"digest_every": 0.2, "worker_heartbeat": 1.0})
    thread = WorkerThread(fast, store, clock=lambda: NOW)
    thread.start()
    try:
        deadline = time.monotonic() + 90
        while store.digest_day_counts("2024-05-16").get("sent", 0) < 2:
            assert time.monotonic() < deadline, "the worker sent no digest"
            assert thread.is_alive(), thread.error
            time.sleep(0.2)
        time.sleep(1.0)  # a few more rounds: nothing more goes out
    finally:
        thread.stop()
    assert sorted(m["To"] for m in smtp.messages) == ["r0@example.org", "r1@example.org"]


def test_the_mails_language_is_the_readers_else_their_editions_else_the_sites(
    settings: Settings,
) -> None:
    pick = digest_mail.mail_language
    assert pick({"language": "ar"}, "fr-fr", settings) == "ar"
    assert pick({"language": None}, "fr-fr", settings) == "fr"  # France · Français
    assert pick({"language": "de"}, "de-de", settings) == "en"  # not spoken: the site's
    french_site = settings.model_copy(update={"locale": "fr_FR"})
    assert pick({"language": None}, "world", french_site) == "fr"

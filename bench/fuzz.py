"""Coverage-guided fuzzing (atheris, libFuzzer) of the parsers that read strangers' bytes.

    python bench/fuzz.py                     # every target, 20,000 runs each; a table
    python bench/fuzz.py --runs 200000 --seconds 600
    python bench/fuzz.py feed -atheris_runs=5000 [libFuzzer options…]   # one target

Targets and the property each checks (an exception that is not the parser's own refusal,
or a broken property, is a finding: libFuzzer stops and writes the input to
``crash-<sha1>`` under ``-artifact_prefix``):

- feed: ``parse_feed`` gives a feed of http(s) entries without NUL or lone surrogates and
  with aware, not-future dates, or a ParseError with a message;
- opml / sitemap: outlines (http(s), none twice) and reasons / a feed, or a ParseError;
- url: ``canonical_url`` and ``absolute_url`` never raise; a canonical URL is http(s) or
  the URL given; ``normalize_url`` of its own output changes nothing;
- guard: a private IPv4 address written any way the C resolver accepts (decimal, octal,
  hex, short forms, IPv4-mapped, NAT64, 6to4, a zone id) is never public;
- sanitize: ``sanitize_html`` keeps only allowed tags and attributes, and is idempotent;
- date: ``parse_date`` gives None or an aware UTC date between 1990 and now + 2 days;
- jsonl: the CLI's reader (``JsonLines.parse``) and the import's (``parse_line``) give a
  record or their one-line reason.

The fuzzer starts from the test fixtures (feeds, OPML) when they apply; new inputs go to a
temporary corpus. Short runs are part of the suite (tests/fuzz/test_atheris.py).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
NOW = datetime(2026, 12, 6, tzinfo=UTC)
SEEDS = {name: FIXTURES / "feeds" for name in ("feed", "sitemap", "opml")}

# --- the properties ------------------------------------------------------------------------


def _clean(value: str | None) -> bool:
    return value is None or not any(c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def fuzz_feed(data: bytes) -> None:
    from broadsheet.errors import ParseError
    from broadsheet.ingest.feeds import parse_feed
    from broadsheet.ingest.urls import is_http_url

    try:
        feed = parse_feed("https://feed.example/rss", data, now=NOW)
    except ParseError as exc:
        assert str(exc), "a refusal says why"
        return
    for entry in feed.entries:
        assert is_http_url(entry.url), entry.url
        assert entry.image is None or is_http_url(entry.image), entry.image
        for text in (entry.title, entry.author, entry.summary, entry.content, entry.guid):
            assert _clean(text), text
        if entry.published is not None:
            assert entry.published.tzinfo is not None
            assert entry.published <= NOW + timedelta(days=2), entry.published


def fuzz_opml(data: bytes) -> None:
    from broadsheet.errors import ParseError
    from broadsheet.ingest.opml import parse_opml
    from broadsheet.ingest.urls import is_http_url

    try:
        outlines, warnings = parse_opml(data)
    except ParseError as exc:
        assert str(exc)
        return
    assert all(is_http_url(o.url) for o in outlines)
    assert len({o.url for o in outlines}) == len(outlines)
    assert all(isinstance(w, str) and w for w in warnings)


def fuzz_sitemap(data: bytes) -> None:
    from broadsheet.errors import ParseError
    from broadsheet.ingest import sitemap
    from broadsheet.ingest.feeds import parse_feed
    from broadsheet.ingest.urls import is_http_url

    url = "https://site.example/sitemap.xml"
    try:  # the reader alone: its own refusal or raw locations (the wrapper resolves them)
        sitemap.parse(url, data, "application/xml", NOW)
        feed = parse_feed(url, data, now=NOW)
    except ParseError as exc:
        assert str(exc)
        return
    assert all(is_http_url(e.url) for e in feed.entries)
    assert all(is_http_url(c) and c != url for c in feed.children), feed.children


def _text(data: bytes) -> tuple[str, str]:
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    first = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 300))
    return first, fdp.ConsumeUnicodeNoSurrogates(300)


def fuzz_url(data: bytes) -> None:
    from broadsheet.extract.canonical import canonical_url, normalize_url
    from broadsheet.ingest.urls import absolute_url, is_http_url

    base, href = _text(data)
    for url in (base, "https://news.example/a/b?x=1"):
        joined = absolute_url(url, href)
        assert joined is None or is_http_url(joined)
        chosen = canonical_url(url, href)
        assert chosen == url or is_http_url(chosen), (url, href, chosen)
        if chosen != url:
            assert normalize_url(chosen) == chosen, (url, href, chosen)


_PRIVATE = [ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16",
)]  # fmt: skip


def _spellings(addr: ipaddress.IPv4Address, how: int, detail: int) -> str:
    n = int(addr)
    a, b, c, d = addr.packed
    forms = [
        str(addr),
        str(n),
        hex(n),
        oct(n).replace("0o", "0"),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
        ".".join(hex(x) for x in (a, b, c, d)),
        ".".join(oct(x).replace("0o", "0") for x in (a, b, c, d)),
        f"::ffff:{addr}",
        f"::ffff:{a << 8 | b:x}:{c << 8 | d:x}",
        f"64:ff9b::{addr}",
        f"2002:{a << 8 | b:x}:{c << 8 | d:x}::{detail:x}",
        f"::ffff:{addr}%eth0",
        f"0:0:0:0:0:FFFF:{addr}",
    ]
    return forms[how % len(forms)]


def fuzz_guard(data: bytes) -> None:
    import atheris

    from broadsheet.ingest.guard import is_public_address

    fdp = atheris.FuzzedDataProvider(data)
    net = _PRIVATE[fdp.ConsumeIntInRange(0, len(_PRIVATE) - 1)]
    addr = net[fdp.ConsumeIntInRange(0, net.num_addresses - 1)]
    host = _spellings(addr, fdp.ConsumeIntInRange(0, 255), fdp.ConsumeIntInRange(0, 0xFFFF))
    try:  # what the C resolver would connect to (numeric only: no DNS)
        found = socket.getaddrinfo(host, 80, proto=socket.IPPROTO_TCP, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        found = []
    for *_, sockaddr in found:
        assert not is_public_address(sockaddr[0]), (host, sockaddr[0])
    assert not is_public_address(host), host


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.declarations = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.declarations += 1

    handle_decl = handle_pi = handle_comment


def fuzz_sanitize(data: bytes) -> None:
    from broadsheet.extract.sanitize import ALLOWED_TAGS, LINK_REL, sanitize_html

    raw = data.decode("utf-8", "replace")
    out = sanitize_html(raw, base_url="https://page.example/a/")
    parsed = _Tags()
    parsed.feed(out)
    parsed.close()
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, out)
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}, attrs
            href = attrs.get("href")
            assert href is None or href.startswith(("http://", "https://", "mailto:")), href
            assert attrs.get("rel") == LINK_REL, attrs
        else:
            assert not attrs, (tag, attrs)
    assert parsed.declarations == 0, out
    assert sanitize_html(out, base_url="https://page.example/a/") == out, (raw, out)


def fuzz_date(data: bytes) -> None:
    from broadsheet.ingest.fields import parse_date

    found = parse_date(data.decode("utf-8", "replace"), NOW)
    if found is not None:
        assert found.tzinfo is not None and found.utcoffset() == timedelta(0), found
        assert datetime(1990, 1, 1, tzinfo=UTC) <= found <= NOW + timedelta(days=2), found


def fuzz_jsonl(data: bytes) -> None:
    from broadsheet.cli_jsonl import BadLine, JsonLines
    from broadsheet.errors import ParseError
    from broadsheet.ingest.jsonl import parse_line

    reader = JsonLines(None, max_line_bytes=1 << 20, strings=("title", "url"))
    reader.lines = 2
    try:
        record = reader.parse(data)
    except BadLine as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(record, dict) and record.get("id") not in (None, "")
    try:
        parse_line(data.decode("utf-8", "replace"), 7)
    except ParseError as exc:
        assert str(exc).startswith("line 7: ")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "feed": fuzz_feed,
    "opml": fuzz_opml,
    "sitemap": fuzz_sitemap,
    "url": fuzz_url,
    "guard": fuzz_guard,
    "sanitize": fuzz_sanitize,
    "date": fuzz_date,
    "jsonl": fuzz_jsonl,
}

# --- running ---------------------------------------------------------------------------------


def run_one(name: str, argv: list[str]) -> None:
    """Fuzz one target in this process (libFuzzer exits the process when done)."""
    import atheris

    with atheris.instrument_imports(include=["broadsheet"]):
        import broadsheet.cli_jsonl
        import broadsheet.extract.canonical
        import broadsheet.extract.sanitize
        import broadsheet.ingest.feeds
        import broadsheet.ingest.fields
        import broadsheet.ingest.guard
        import broadsheet.ingest.jsonl
        import broadsheet.ingest.opml
        import broadsheet.ingest.sitemap  # noqa: F401
    target = TARGETS[name]
    atheris.Setup([sys.argv[0], *argv], target)
    atheris.Fuzz()


def seeds(name: str, corpus: Path) -> None:
    source = SEEDS.get(name)
    if source is None:
        return
    suffixes = {".opml"} if name == "opml" else {".xml", ".rss", ".atom", ".json"}
    for path in sorted(source.iterdir()):
        if path.is_file() and path.suffix in suffixes and path.stat().st_size < 200_000:
            shutil.copy(path, corpus / path.name)


_STATS = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+)")


def campaign(name: str, runs: int, seconds: int, where: Path) -> dict[str, object]:
    """Fuzz ``name`` in a fresh process; executions, coverage and findings."""
    corpus = where / f"corpus-{name}"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds(name, corpus)
    artifacts = where / f"findings-{name}"
    artifacts.mkdir(exist_ok=True)
    cmd = [
        sys.executable, __file__, name, f"-atheris_runs={runs}", f"-max_total_time={seconds}",
        "-max_len=65536", f"-artifact_prefix={artifacts}/", "-print_final_stats=1", str(corpus),
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=where)
    took = time.monotonic() - started
    stats = _STATS.findall(done.stderr)
    executions = re.findall(r"^Done (\d+) in", done.stderr, re.MULTILINE)
    found = sorted(p.name for p in artifacts.iterdir())
    return {
        "target": name,
        "executions": int(executions[-1]) if executions else (int(stats[-1][0]) if stats else 0),
        "coverage": int(stats[-1][1]) if stats else 0,
        "features": int(stats[-1][2]) if stats else 0,
        "findings": len(found),
        "seconds": took,
        "exit": done.returncode,
        "tail": done.stderr[-3000:] if done.returncode else "",
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in TARGETS:
        run_one(sys.argv[1], sys.argv[2:])
        return
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20_000, help="executions per target")
    parser.add_argument("--seconds", type=int, default=300, help="time limit per target")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--keep", type=Path, help="keep corpora and findings here")
    args = parser.parse_args()
    where = args.keep or Path(tempfile.mkdtemp(prefix="broadsheet-fuzz-"))
    print("| target | executions | coverage (edges) | features | findings | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    failed = False
    for name in args.targets.split(","):
        row = campaign(name, args.runs, args.seconds, where)
        failed |= bool(row["findings"]) or row["exit"] != 0
        print(
            f"| {name} | {row['executions']:,} | {row['coverage']:,} | {row['features']:,} "
            f"| {row['findings']} | {row['seconds']:.0f} |",
            flush=True,
        )
        if row["tail"]:
            print(row["tail"], file=sys.stderr)
    print(f"\ncorpora and findings: {where}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""What Google Reader requests and answers look like (the protocol's shapes, for
``greader.py``'s routes): reading repeated query and form fields, stream ids, the filters
of a stream (n, r, ot, nt, xt, it, c), item ids in their long and short forms, and an item
as JSON."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request

from broadsheet.store.sync import Filter, Stream
from broadsheet.understand.topics import TAXONOMY
from broadsheet.web.sync_items import OUTLETS_FOLDER, STORIES_FEED, STORIES_TITLE, Item, usec

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
KEPT_UNREAD = (
    "user/-/state/com.google/kept-unread",
    "user/-/state/com.google/tracking-kept-unread",
)
LABEL = "user/-/label/"
MAX_BODY = 1024 * 1024
MAX_FIELDS = 5000
STATE = re.compile(r"^user/[^/]{1,40}/state/com\.google/(.+)$")
_LABEL = re.compile(r"^user/[^/]{1,40}/label/(.+)$")
_CONTINUATION = re.compile(r"^(\d{1,18})_(\d{1,18})$")


# --- request reading ------------------------------------------------------------------------
class Params:
    """Query and (url-encoded) form fields together; a name may repeat (``i=…&i=…``)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def get(self, name: str, default: str = "") -> str:
        found = self.all(name)
        return found[-1] if found else default


async def params(request: Request) -> Params:
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise HTTPException(status_code=413)
        try:
            pairs += parse_qsl(
                body.decode("utf-8"),
                keep_blank_values=True,
                max_num_fields=MAX_FIELDS,
                errors="strict",
            )
        except (UnicodeDecodeError, ValueError):
            raise HTTPException(status_code=400, detail="Bad form") from None
    return Params(pairs)


def bad(what: str) -> HTTPException:
    return HTTPException(status_code=400, detail=f"Bad {what}")


def label(name: str) -> dict[str, str]:
    return {"id": LABEL + name, "label": name}


def topic_label(topic: str) -> str:
    return topic.capitalize()


def window(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now - timedelta(days=request.app.state.settings.sync_days)


def stream_of(request: Request, stream_id: str) -> Stream:
    """A stream id as apps send it; 400 for one of no known form, 404 for an unknown feed."""
    if len(stream_id) > 300:
        raise bad("stream")
    state = STATE.match(stream_id)
    if state:
        kind = {"reading-list": "all", "starred": "starred", "read": "read"}.get(state.group(1))
        if kind is None:
            raise bad("stream")
        return Stream(kind)
    label = _LABEL.match(stream_id)
    if label:
        name = label.group(1)
        if name.lower() == OUTLETS_FOLDER.lower():
            return Stream("outlets")
        if name.lower() == STORIES_TITLE.lower():
            return Stream("stories")
        if name.lower() in TAXONOMY:
            return Stream("topic", name.lower())
        raise HTTPException(status_code=404, detail="Unknown label")
    if stream_id == f"feed/{STORIES_FEED}":
        return Stream("stories")
    if stream_id.startswith("feed/"):
        key = stream_id[5:]
        if not key.isdigit() or len(key) > 18:
            raise HTTPException(status_code=404, detail="Unknown feed")
        source = request.app.state.store.get_source(int(key))
        if source is None or not source.enabled:
            raise HTTPException(status_code=404, detail="Unknown feed")
        return Stream("outlet", int(key))
    raise bad("stream")


def seconds(raw: str, what: str) -> datetime | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 17:
        raise bad(what)
    value = int(raw)
    if value > 10**14:  # some apps send microseconds
        value //= 1_000_000
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise bad(what) from None


def stream_filter(request: Request, p: Params, most: int) -> Filter:
    n = p.get("n", "20")
    if not n.isdigit() or not 1 <= int(n) <= 10**6:
        raise bad("n")
    after = None
    if c := p.get("c"):
        found = _CONTINUATION.match(c)
        if not found:
            raise bad("continuation")
        at = datetime.fromtimestamp(int(found.group(1)) / 1_000_000, UTC)
        after = (at, int(found.group(2)))
    excluded = p.all("xt")
    included = p.all("it")
    return Filter(
        since=window(request),
        exclude_read=any(STATE.match(x) and x.endswith("/read") for x in excluded),
        only_read=any(STATE.match(x) and x.endswith("/read") for x in included),
        only_starred=any(STATE.match(x) and x.endswith("/starred") for x in included),
        newer_than=seconds(p.get("nt"), "nt"),
        older_than=seconds(p.get("ot"), "ot"),
        oldest_first=p.get("r") == "o",
        after=after,
        limit=min(int(n), most),
    )


def continuation(found: list[tuple[int, datetime]], f: Filter) -> str | None:
    if len(found) < f.limit or not found:
        return None
    num, at = found[-1]
    return f"{usec(at)}_{num}"


def long_id(num: int) -> str:
    return f"{ITEM_PREFIX}{num:016x}"


_HEX = re.compile(r"^[0-9a-fA-F]{1,16}$")


def parse_item_id(raw: str) -> int:
    """An item id in the long form (hex after the tag prefix, 16 digits or fewer as some
    apps trim them), bare 16-digit hex, or the short form (decimal, possibly negative as
    Google's signed 64-bit ids are): 400 otherwise."""
    raw = raw.strip()
    if raw.startswith(ITEM_PREFIX) or (len(raw) == 16 and _HEX.match(raw)):
        digits = raw.removeprefix(ITEM_PREFIX)
        if not _HEX.match(digits):
            raise bad("item id")
        value = int(digits, 16)
    elif re.fullmatch(r"-?\d{1,20}", raw):
        value = int(raw)
        if value < 0:
            value += 1 << 64
    else:
        raise bad("item id")
    if value >= 1 << 63:
        raise bad("item id")
    return value


def item_json(item: Item) -> dict[str, Any]:
    stream = f"feed/{item.feed}"
    folder = STORIES_TITLE if item.feed == STORIES_FEED else OUTLETS_FOLDER
    categories = [READING_LIST, LABEL + folder]
    categories += [LABEL + topic_label(t) for t in item.topics]
    if item.read:
        categories.append(READ)
    if item.starred:
        categories.append(STARRED)
    stamp = usec(item.at)
    body: dict[str, Any] = {
        "id": long_id(item.num),
        "crawlTimeMsec": str(stamp // 1000),
        "timestampUsec": str(stamp),
        "published": int(item.published.timestamp()),
        "updated": int(item.at.timestamp()),
        "title": item.title,
        "canonical": [{"href": item.url}],
        "alternate": [{"href": item.url, "type": "text/html"}],
        "categories": categories,
        "origin": {"streamId": stream, "title": item.feed_title, "htmlUrl": item.site_url},
        "summary": {"direction": "ltr", "content": item.html},
        "content": {"direction": "ltr", "content": item.html},  # some apps read this one
        "author": item.author,
    }
    return body

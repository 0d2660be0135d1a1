"""Model output is untrusted text: parse it strictly, strip what could act on a reader.

Output is rendered as text by the autoescaping templates; on top of that, links, image
syntax, HTML tags, URLs and control characters are removed, so nothing the model writes
can load a remote image or be clicked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from broadsheet.errors import ModelError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]{0,500}>")
_URL = re.compile(r"\b(?:https?|ftp|data|javascript|file):[^\s)\]]*|\bwww\.[^\s)\]]+", re.I)
MAX_JSON_CHARS = 200_000


def clean_text(text: str, limit: int) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _URL.sub("[link removed]", text)
    text = _CONTROL.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()[:limit]


def json_object(reply: str) -> dict[str, Any]:
    """The first JSON object in a reply (models like to wrap it in prose or fences)."""
    start = reply.find("{")
    if start < 0 or len(reply) > MAX_JSON_CHARS:
        raise ModelError("AI: the reply holds no JSON object")
    try:
        value, _ = json.JSONDecoder().raw_decode(reply[start:])
    except ValueError as exc:
        raise ModelError("AI: the reply's JSON does not parse") from exc
    if not isinstance(value, dict):
        raise ModelError("AI: the reply's JSON is not an object")
    return value

"""How the API answers: JSON with an ETag, 304 when the client has it already."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

CACHE = "no-cache"  # clients may keep a copy but must revalidate (cheap with the ETag)


def respond(request: Request, model: BaseModel) -> Response:
    body = model.model_dump_json().encode("utf-8")
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    headers = {"etag": etag, "cache-control": CACHE, "vary": "Accept-Encoding"}
    wanted = request.headers.get("if-none-match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)

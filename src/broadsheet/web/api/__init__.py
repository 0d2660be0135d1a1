"""The JSON API under /api/v1, documented at /openapi.json and /api/docs.

Read endpoints for articles, stories (with coverage and members), outlets, entities,
places, topics, search and the Daily 8, the caller's own data (``me``: with an API
token, or the session cookie), what a signed-in reader changes (``mine``: comments, follows,
saved) and sources for admins (``sources``). Lists page by cursor (``before`` /
``after``, the same keyset cursors the web pages use); every response carries an ETag
and answers ``If-None-Match`` with 304; every error has one shape (``schemas.Error``),
produced in ``web/app.py``'s one error handler.
Every call passes ``me.caller``: a Bearer token names a reader (401 if it is not a current
one); calls are rate limited per token, or per address without one (429, Retry-After).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from broadsheet.web.api import content, docs, me, mine, sources

router = APIRouter(dependencies=[Depends(me.caller)])
router.include_router(content.router)
router.include_router(me.router)
router.include_router(mine.router)
router.include_router(sources.router)
router.include_router(docs.router)

"""The JSON API under /api/v1, documented at /openapi.json and /api/docs.

Read endpoints for articles, stories (with coverage and members), outlets, entities,
places, topics, search and the Daily 8. Lists page by cursor (``before`` / ``after``,
the same keyset cursors the web pages use); every response carries an ETag and answers
``If-None-Match`` with 304; every error has one shape (``schemas.Error``), produced in
``web/app.py``'s one error handler.
"""

from __future__ import annotations

from fastapi import APIRouter

from broadsheet.web.api import content, docs

router = APIRouter()
router.include_router(content.router)
router.include_router(docs.router)

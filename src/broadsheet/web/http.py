"""Two small pure-ASGI middlewares for what uptime checks and typed addresses send.

- ``HeadAsGet``: a HEAD request is answered as the GET of the same address, without the
  body (RFC 9110: a server that answers GET answers HEAD); FastAPI's routes know only GET.
- ``TrailingSlash``: ``/articles/1/`` redirects to ``/articles/1`` with a relative
  ``Location`` built from the path alone, never from the Host header (Starlette's own
  redirect copies the Host, so ``Host: evil.example`` would send the reader there), and a
  path starting with several slashes is collapsed so it cannot become ``//evil.example``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


# Addresses served with their slash: static files, and Fever's "/fever/" (apps POST there,
# and a redirect would lose the form of clients that do not repeat a POST).
KEEP_SLASH = ("/static/", "/fever/")


class TrailingSlash:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if len(path) > 1 and path.endswith("/") and not path.startswith(KEEP_SLASH):
            target = "/" + path.strip("/")
            query = scope.get("query_string", b"")
            location = target.encode("utf-8", "replace") + (b"?" + query if query else b"")
            await send(
                {
                    "type": "http.response.start",
                    "status": 308,
                    "headers": [(b"location", location), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

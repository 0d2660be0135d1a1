"""The exception tree. Every error Broadsheet raises on purpose is one of these::

    BroadsheetError
    ├── ConfigError             a setting is missing or wrong
    ├── FetchError              a URL could not be fetched (carries .url)
    │   ├── BlockedURL          refused before any byte was sent
    │   │   ├── SchemeNotAllowed    not http/https
    │   │   └── PrivateNetwork      resolves to loopback / private / link-local
    │   ├── RobotsDisallowed    robots.txt forbids it (or robots.txt failed: 5xx/timeout)
    │   ├── TooManyRedirects    more than the redirect limit, or a loop
    │   ├── BodyTooLarge        the body (after decompression) passed the size cap
    │   ├── FetchTimeout        the total deadline passed
    │   └── HTTPStatus          4xx/5xx; carries .status and .retry_after (seconds)
    ├── ParseError              bytes that are not a feed / OPML / sitemap we can read
    ├── ExtractError            a page that yields no article
    │   └── WorkerLost          the worker process running it died, again and again
    ├── ModelError              the AI endpoint is off, over budget, slow, failing or garbled
    └── StoreError              the database refused (full disk, corrupt file, ...)

Messages carry their context ("fetch example.com/feed: timed out after 10 s") so that a
source row's ``last_error`` reads well in the admin page and the CLI.
"""

from __future__ import annotations


class BroadsheetError(Exception):
    """Base of every error Broadsheet raises on purpose."""


class ConfigError(BroadsheetError):
    pass


class FetchError(BroadsheetError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"fetch {url}: {reason}")
        self.url = url
        self.reason = reason


class BlockedURL(FetchError):
    pass


class SchemeNotAllowed(BlockedURL):
    pass


class PrivateNetwork(BlockedURL):
    pass


class RobotsDisallowed(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class HTTPStatus(FetchError):
    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        reason = f"HTTP {status}"
        if retry_after is not None:
            reason += f" (retry after {retry_after:.0f} s)"
        super().__init__(url, reason)
        self.status = status
        self.retry_after = retry_after


class ParseError(BroadsheetError):
    pass


class ExtractError(BroadsheetError):
    pass


class WorkerLost(ExtractError):
    """A task's worker process died (killed, out of memory) every time it was run."""


class ModelError(BroadsheetError):
    pass


class StoreError(BroadsheetError):
    pass


class StoreUnavailable(StoreError):
    """The database cannot be reached (a PostgreSQL restart, a dropped connection), as
    opposed to a write it refused (a full disk, a constraint): worth trying again soon."""


class MailError(BroadsheetError):
    """A mail could not be handed to the SMTP server (issue 11: reset links).
    ``maybe_sent``: the server may have taken it all the same (the connection broke while
    it was being handed over); False when the failure proves it did not."""

    def __init__(self, message: str, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


_REASONS = (  # (pattern in a failure's reason, reason): the first that matches wins
    (r"private network|not allowed|blocked|scheme", "blocked"),
    (r"robots", "robots"),
    (r"timed? ?out|timeout|budget", "timeout"),
    (r"resolve|name or service|nodename|getaddrinfo|dns", "dns"),
    (r"too large|too long|bytes", "too_large"),
    (r"^http 4\d\d", "http_4xx"),
    (r"^http 5\d\d", "http_5xx"),
    (r"^http \d{3}|redirect", "http_other"),
    (r"refused|reset|connect|ssl|tls|certificate|eof|protocol", "connection"),
    (r"not a feed|parse|xml|json|syntax|no feed", "parse"),
    (r"extract|no text|empty|too short", "extraction"),
)
_FETCH_PREFIX = r"^fetch \S+: "  # FetchError's "fetch <url>: <reason>": the URL says nothing


def failure_reason(message: str) -> str:
    """A failure's message (a FetchError's, a ParseError's, a source's ``last_error``) as
    one of a few reasons, for metrics: blocked, robots, timeout, dns, too_large, http_4xx,
    http_5xx, http_other, connection, parse, extraction or other."""
    import re

    text = re.sub(_FETCH_PREFIX, "", message.strip().lower())
    for pattern, reason in _REASONS:
        if re.search(pattern, text):
            return reason
    return "other"

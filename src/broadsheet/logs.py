"""Log records as text lines or, with ``BROADSHEET_LOG_FORMAT=json``, one JSON object per
line (structlog's ``ProcessorFormatter`` over the standard ``logging`` records, so every
library's records come out the same way), with secrets scrubbed from every field.

Scrubbed, whatever logs them: values under a secret-sounding key (password, token,
secret, authorization, cookie, api_key, auth…, at any depth); in any text, API tokens
(``bsk_…``), app passwords (six groups of five ``a-z2-7``), webhook secrets (``whsec_…``),
``Bearer``/``Basic``/``GoogleLogin auth=`` credentials, secret-named query-string and form
fields (``?api_key=``, ``&Passwd=``, ``T=``, ``Auth=``…), ``user:password@`` in URLs, the
session cookie, and the exact values of the settings' own secrets (the site key, the
SMTP password) once ``configure`` has been given them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any

SCRUBBED = "[scrubbed]"
ACCESS = logging.getLogger("broadsheet.access")

_KEY = re.compile(
    r"(?i)^(.*(pass(word|wd)?|secret|token|authori[sz]ation|cookie|api_?key|credential"
    r"|signature|csrf|session).*|auth|sid|lsid|t|key)$"
)
_FIELDS = (
    r"api_?key|access_token|token|t|auth|sid|lsid|passwd|password|pass|secret|signature|sig"
    r"|csrf|key|bs_session|bs_csrf|code"
)
_TEXT = [
    (re.compile(r"bsk_[A-Za-z0-9_\-]{8,}"), SCRUBBED),
    (re.compile(r"whsec_[A-Za-z0-9_\-]{8,}"), SCRUBBED),
    (re.compile(r"(?<![a-z0-9])[a-z2-7]{5}(?:-[a-z2-7]{5}){5}(?![a-z0-9])"), SCRUBBED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;\"']+"), r"\1 " + SCRUBBED),
    (re.compile(r"(?i)\b(googlelogin\s+auth=)[^\s,;\"']+"), r"\1" + SCRUBBED),
    (re.compile(rf"(?i)(^|[?&;\s\"'])({_FIELDS})=[^&\s\"';]*"), r"\1\2=" + SCRUBBED),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@]+:[^/\s@]*@"), r"\1" + SCRUBBED + "@"),
]
_known: set[str] = set()


def remember(secrets: Iterable[str | None]) -> None:
    """Scrub these exact values too (secrets of the settings, at least 6 characters)."""
    _known.update(s for s in secrets if s and len(s) >= 6)


def scrub_text(text: str) -> str:
    for pattern, replacement in _TEXT:
        text = pattern.sub(replacement, text)
    for secret in _known:
        if secret in text:
            text = text.replace(secret, SCRUBBED)
    return text


def scrub_value(value: Any, key: str = "") -> Any:
    if key and _KEY.match(key) and value not in (None, "", True, False):
        return SCRUBBED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bytes):
        return scrub_text(value.decode("utf-8", "replace"))
    if isinstance(value, MutableMapping):
        return {k: scrub_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [scrub_value(v) for v in value]
    return value


_PLAIN = {"event", "level", "logger", "timestamp"}


def scrub(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The structlog processor: every field of the event, scrubbed (and the record's
    ``message``, a copy of ``event``, left out)."""
    return {k: scrub_value(v, "" if k in _PLAIN else k) for k, v in event.items() if k != "message"}


def json_formatter() -> logging.Formatter:
    """A formatter turning any ``logging`` record into one scrubbed JSON line: timestamp
    (UTC, ISO 8601), level, logger, event (the message) and the record's extra fields."""
    import structlog  # here: only JSON logs need it (it brings rich; CLI start-up)

    pre = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=pre,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub,
            structlog.processors.JSONRenderer(sort_keys=False, ensure_ascii=False),
        ],
    )


class ScrubbedText(logging.Formatter):
    """The text format, scrubbed as the JSON one is."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub_text(super().format(record))


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return json_formatter()
    return ScrubbedText("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(handlers: Iterable[logging.Handler], settings: Any) -> None:
    """Give ``handlers`` the settings' format and the root logger their level; the
    settings' own secrets are scrubbed from then on."""
    remember([settings.secret_key, settings.smtp_password])
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter(settings.log_format))
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def request_event(
    method: str, path: str, query: str, status: int, seconds: float, client: str
) -> None:
    """One ``request`` event per web request (at info level: off by default)."""
    if ACCESS.isEnabledFor(logging.INFO):
        ACCESS.info(
            "request",
            extra={
                "method": method,
                "path": path,
                "query": query,
                "status": status,
                "ms": round(seconds * 1000, 1),
                "client": client,
            },
        )

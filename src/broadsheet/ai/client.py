"""The model client: one chat completion, with a deadline, a size cap and a daily budget.

The endpoint is the operator's (it may be on loopback or a private network, like a local
Ollama), so it does not go through the fetcher's network rules; it is reached with httpx
directly. No tools are offered to the model, redirects are not followed, and any response
that is late, not 200, larger than ``ai_max_response_bytes`` or not the expected JSON is
a :class:`ModelError`: callers fall back to the extractive features.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Protocol

import httpx

from broadsheet.errors import ModelError

if TYPE_CHECKING:
    from broadsheet.config import Settings


class Budget(Protocol):
    """Where the daily request budget is kept (the store, in practice)."""

    def take_ai_request(self, budget: int) -> bool: ...


class ChatClient:
    def __init__(self, settings: Settings, store: Budget | None = None) -> None:
        self.settings = settings
        self.store = store

    @property
    def enabled(self) -> bool:
        return bool(self.settings.ai_base_url and self.settings.ai_model)

    @property
    def version(self) -> str:
        return self.settings.ai_model or "none"

    def complete(self, system: str, user: str) -> str:
        """The model's reply to one system + user message pair (plain text)."""
        s = self.settings
        if not self.enabled:
            raise ModelError("AI: no model endpoint is configured")
        if self.store is not None and not self.store.take_ai_request(s.ai_daily_budget):
            raise ModelError("AI: today's request budget is spent")
        url = s.ai_base_url.rstrip("/") + "/chat/completions"  # type: ignore[union-attr]
        headers = {"content-type": "application/json"}
        if s.ai_api_key:
            headers["authorization"] = f"Bearer {s.ai_api_key}"
        payload = {
            "model": s.ai_model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": s.ai_max_tokens,
            "temperature": 0,
            "stream": False,
        }
        body = self._post(url, headers, payload)
        try:
            data = json.loads(body)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ModelError("AI: the endpoint's reply is not a chat completion") from exc
        if not isinstance(content, str):
            raise ModelError("AI: the reply has no text")
        return content

    def _post(self, url: str, headers: dict[str, str], payload: dict[str, object]) -> bytes:
        s = self.settings
        deadline = time.monotonic() + s.ai_timeout
        try:
            with (
                httpx.Client(timeout=s.ai_timeout, follow_redirects=False, trust_env=False) as c,
                c.stream("POST", url, headers=headers, json=payload) as response,
            ):
                if response.status_code != 200:
                    raise ModelError(f"AI: endpoint answered HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > s.ai_max_response_bytes:
                        raise ModelError(f"AI: reply over {s.ai_max_response_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise ModelError(f"AI: no complete reply within {s.ai_timeout:.0f} s")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise ModelError(f"AI: no reply within {s.ai_timeout:.0f} s") from exc
        except httpx.HTTPError as exc:
            raise ModelError(f"AI: endpoint unreachable ({exc.__class__.__name__})") from exc

"""Site furniture that survives single-page extraction, dropped line by line.

A small, language-aware table of anchored patterns ("Download our app", "Share this
article", "© 2025 ... All rights reserved", "Advertisement"). Only short lines are
tested, so a real paragraph that happens to begin with "Read more" is kept.

``drop_furniture(paragraphs) -> paragraphs`` is the whole interface: the site-level
boilerplate learner (repeated lines across many pages of one site) can replace or wrap
it, as long as it returns a subsequence of its input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FurnitureFilter = Callable[[list[str]], list[str]]

# Longer lines are article text even when they start like furniture.
MAX_FURNITURE_CHARS = 200

FURNITURE_PATTERNS: tuple[str, ...] = (
    # apps
    r"(download|get|install|try) (our|the) (free |new )?([\w-]+ ){0,2}app\b.*",
    r"(jetzt )?(unsere|die) ([\w-]+ ){0,2}app (herunterladen|laden|installieren)\b.*",
    # newsletters and subscriptions
    r"(sign up|subscribe|register) (for|to) (our|the|a) .*newsletters?\b.*",
    r"(get|receive) (our|the) .*newsletter\b.*",
    r"newsletters?\s*:?",
    r"(subscribe|sign up|log in|register) (now |today )?to (read|continue|keep reading)\b.*",
    r"newsletter (abonnieren|bestellen)\b.*",
    # cookies and consent
    r"(accept|reject|allow|manage|customi[sz]e) (all )?(cookies|preferences)\b.*",
    r"(this site|this website|we) uses? cookies\b.*",
    r"(alle )?cookies (akzeptieren|ablehnen|zulassen)\b.*",
    # sharing and following
    r"share (this|the) (article|story|page|post)\b.*",
    r"share (on|via) (facebook|twitter|x|whatsapp|linkedin|email|e-mail|reddit|telegram)\b.*",
    r"(follow|like) us on\b.*",
    r"(artikel )?teilen\s*:?",
    r"folgen sie uns\b.*",
    # cross-links
    r"(read|see) (more|also)\s*[:\-–—].*",
    r"(read|see) (more|also)\s*",
    r"more (on|from) (this|that) (story|topic)\s*:?.*",
    r"related (articles?|stories|content|coverage|links|topics)\s*:?",
    r"(lesen sie|mehr zum thema|siehe) (auch|dazu)?\s*:.*",
    r"mehr zum thema\s*:?",
    # advertising
    r"(advertisement|advertising|sponsored( content)?|ad|anzeige|werbung|publicité)\s*",
    r"(article continues|story continues|continue reading) (below|after).*",
    r"scroll (down )?to continue( reading)?\.?",
    # legal footer
    r"(©|\(c\)).*",
    r"copyright\s*(©\s*)?(\d{4}|by)\b.*",
    r".*\ball rights reserved\b.*",
    r".*\balle rechte vorbehalten\b.*",
)

_FURNITURE = re.compile(
    "|".join(f"(?:{p})" for p in FURNITURE_PATTERNS), re.IGNORECASE | re.UNICODE
)


def is_furniture_line(line: str) -> bool:
    line = line.strip(" \t•·|>»-–—")
    return not line or (len(line) <= MAX_FURNITURE_CHARS and _FURNITURE.fullmatch(line) is not None)


def is_furniture(paragraph: str) -> bool:
    """True when every line of the paragraph is furniture."""
    return all(is_furniture_line(line) for line in paragraph.split("\n"))


def drop_furniture(paragraphs: list[str]) -> list[str]:
    """The paragraphs that are not furniture, in order."""
    return [p for p in paragraphs if not is_furniture(p)]

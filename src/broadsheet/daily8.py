"""The Daily 8 of a day and an edition, computed and kept in the store: for the pages
(web/daily.py) and the digest mail (digest_mail.py) alike.

A day is a calendar day in the site's time zone. Today's edition is recomputed at most
every ``TODAY_TTL`` seconds; a past day's once (then it is final and never changes). The
world edition ranks every story of the day; a country's edition (``fr-fr``) ranks the
stories its outlets reported first and fills the places left with the world's best.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from broadsheet.stories import daily as daily_rule

if TYPE_CHECKING:
    from broadsheet.store import Store

WORLD = "world"
TODAY_TTL = 600.0


def local_day(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def _country(edition: str) -> str | None:
    code = edition.split("-", 1)[0]
    return code.upper() if edition != WORLD and len(code) == 2 else None


def items(store: Store, day: date, zone: str, edition: str = WORLD) -> list[dict[str, Any]]:
    """Choose the day's stories, with their stored digests' summary lines (plain data)."""
    from broadsheet import story_digest

    found, topics = store.daily_candidates(*bounds(day, zone))
    candidates = [daily_rule.candidate(s, topics.get(s.lead_article_id or 0)) for s in found]
    country = _country(edition)
    if country is None:
        picked = daily_rule.choose(candidates)
    else:  # the country's own stories first, the world's best after them
        local = [c for c in candidates if country in c.countries]
        picked = daily_rule.choose(local)
        taken = {c.story.id for c in picked}
        rest = [c for c in candidates if c.story.id not in taken]
        picked += daily_rule.choose(rest, daily_rule.SIZE - len(picked)) if rest else []
    out = []
    for c in picked:
        story = c.story
        summary = story_digest.load(store, story)["summary"]
        outlets = {aid: outlet for aid, outlet, _title in summary["sources"]}
        lines = [
            {
                "text": ln["text"],
                "article": ln["article_id"],
                "outlet": outlets.get(ln["article_id"]),
            }
            for ln in summary["lines"]
        ]
        out.append(
            {
                "story": story.id,
                "title": story.title,
                "lead": story.lead_article_id,
                "topic": c.topic,
                "voices": c.voices,
                "outlets": len({m.source_id for m in story.members}),
                "countries": c.countries[:6],
                "lines": lines,
            }
        )
    return out


def edition_for(
    store: Store, day: date, now: datetime, zone: str, edition: str = WORLD
) -> dict[str, Any]:
    """The day's edition from the store, computed (and kept) when missing or stale."""
    key = day.isoformat()
    kept = store.daily_edition(key, edition)
    if kept is not None and (
        kept["final"] or (now - kept["computed_at"]).total_seconds() < TODAY_TTL
    ):
        return kept
    chosen = items(store, day, zone, edition)
    final = day < local_day(now, zone)
    store.save_daily_edition(key, edition, chosen, final)
    return {"day": key, "edition": edition, "items": chosen, "final": final, "computed_at": now}

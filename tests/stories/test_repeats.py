"""Text an outlet repeats on its pages (templates, sign-offs) is not shared news: one
outlet's unrelated articles stay apart, and one event still joins across outlets.

All articles are invented for these tests."""

from __future__ import annotations

from typing import Any

from broadsheet.config import Settings
from broadsheet.stories import repeats as repeats_mod
from broadsheet.stories.repeats import RepeatedText
from broadsheet.stories.state import StoryState
from tests.stories.sample import at

TEMPLATE = (
    "The Valley Times is the local paper for Hazelford, Steinau and the upper valley since "
    "1921. Sign up for our free morning newsletter, follow the Valley Times on social media "
    "and send your news tips to the newsroom at any hour of the day or night. Support "
    "local journalism in the valley: subscribe to the Valley Times today from two pounds "
    "a week, and read every local story on our website and in the app."
)

# a football match, a brewery sale, a folk fair, bakery jobs, an orchard, a footbridge
UNRELATED = [
    (
        "Hazelford Rovers beat Steinau Athletic in the cup",
        "Hazelford Rovers won 3-1 against Steinau Athletic at Mill Lane on Saturday, with "
        "two goals from striker Priya Okonkwo before half-time.",
    ),
    (
        "Old Kiln brewery sold to Northgate drinks group",
        "The Old Kiln brewery on Tanner Street has been bought by the Northgate drinks group "
        "for an undisclosed sum; its twelve brewers keep their posts, the owners said.",
    ),
    (
        "Folk fair returns to Larkmoor green with forty stalls",
        "The Larkmoor folk fair is back on the village green this weekend, with forty stalls, "
        "morris dancers and a fiddle contest judged by Agnes Brightwater.",
    ),
    (
        "Crumb and Crust bakery to hire fifteen apprentices",
        "Crumb and Crust, the family bakery chain, will take on fifteen apprentice bakers at "
        "its new ovens in Copperfield this autumn, owner Dev Marwood announced.",
    ),
    (
        "Cider orchard at Fennick Farm opens for picking",
        "Fennick Farm has opened its cider orchard to pickers: visitors can fill a basket of "
        "russet and pippin apples for five pounds until the end of October.",
    ),
    (
        "Weir footbridge in Steinau closed after flood damage",
        "The weir footbridge in Steinau is closed after floodwater cracked two of its oak "
        "beams; engineers expect repairs to take three weeks, the council said.",
    ),
]

# the footbridge, told by another outlet with its own sign-off
FOOTBRIDGE_ELSEWHERE = (
    "Steinau weir footbridge shut: flood cracked oak beams",
    "Flood damage has closed the weir footbridge in Steinau: engineers found two cracked "
    "oak beams and say repairs to the footbridge will take three weeks, the council said. "
    "The Courier: news for the whole county, every day.",
)


def rows() -> list[dict[str, Any]]:
    out = []
    for n, (title, text) in enumerate(UNRELATED):
        out.append(_row(n + 1, 1, title, f"{text}\n\n{TEMPLATE}", hours=3 * n))
    title, text = FOOTBRIDGE_ELSEWHERE
    out.append(_row(len(out) + 1, 2, title, text, hours=3 * len(UNRELATED)))
    return out


def _row(article_id: int, source: int, title: str, text: str, hours: float) -> dict[str, Any]:
    return {
        "id": article_id,
        "source_id": source,
        "title": title,
        "text": text,
        "author": None,
        "sort_at": at(hours),
        "duplicate_of": None,
    }


def stories(articles: list[dict[str, Any]], strip: bool = True) -> list[int]:
    state = StoryState(Settings(default_sources=False))
    if not strip:
        state.repeats.min_repeats = 10**9  # nothing is ever repeated often enough
    for row in articles:
        state.cluster(row)
    found = [state.story_of(row["id"]) for row in articles]
    assert None not in found
    return [s for s in found if s is not None]


def test_the_template_alone_would_join_unrelated_articles() -> None:
    # the test's premise: without the rule, the outlet's template makes one story
    placed = stories(rows(), strip=False)
    assert len(set(placed[: len(UNRELATED)])) < len(UNRELATED) - 2


def test_one_outlets_unrelated_articles_stay_apart() -> None:
    placed = stories(rows())
    learned = repeats_mod.MIN_REPEATS  # the first articles teach the rule the template
    later = placed[learned : len(UNRELATED)]
    assert len(set(later)) == len(later)  # each later article its own story
    assert not set(later) & set(placed[:learned])  # and none joins the first ones


def test_one_event_still_joins_across_outlets() -> None:
    placed = stories(rows())
    assert placed[-1] == placed[len(UNRELATED) - 1]  # the footbridge, told twice


def test_strip_drops_only_what_the_outlet_repeated() -> None:
    repeated = RepeatedText(min_repeats=2)
    body = "The harbour master counted nine trawlers at the quay on Friday morning."
    for k in range(2):
        assert repeated.strip("a", f"Story number {k} about something else.\n\n{TEMPLATE}")
    stripped = repeated.strip("a", f"{body}\n\n{TEMPLATE}")
    assert "harbour master counted nine trawlers" in stripped
    assert "newsletter" not in stripped and "subscribe" not in stripped
    # another outlet never printed the template: its copy keeps it
    assert "newsletter" in repeated.strip("b", f"{body}\n\n{TEMPLATE}")
    # no outlet known: unchanged
    assert repeated.strip(None, f"{body}\n\n{TEMPLATE}") == f"{body}\n\n{TEMPLATE}"


def test_memory_per_outlet_is_bounded() -> None:
    repeated = RepeatedText()
    for k in range(3 * repeats_mod.RECENT):
        repeated.strip("a", f"Article {k} says {' '.join(f'w{k}x{i}' for i in range(40))}.")
    outlet = repeated.outlets["a"]
    assert len(outlet.recent) == repeats_mod.RECENT
    assert int(outlet.counts.sum()) == sum(len(r) for r in outlet.recent)
    assert len(outlet.keys) <= 2 * sum(len(r) for r in outlet.recent) + 1

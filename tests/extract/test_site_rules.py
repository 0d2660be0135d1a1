"""Teasers of an outlet's other articles and its learned body boundaries (issue 15)."""

from __future__ import annotations

import pickle

from broadsheet.extract.blocks import Block
from broadsheet.extract.boundaries import cut_at_boundary, learn_boundaries, runs_after
from broadsheet.extract.furniture import drop_furniture
from broadsheet.extract.learn import fingerprint
from broadsheet.extract.site import SiteRules, finish
from broadsheet.extract.teasers import KnownArticles, drop_teasers, teaser_blocks

OWN = [
    "The harbour board approved the repair of the northern pier on Tuesday evening.",
    "Engineers found cracks in three of the pier's supporting columns during the winter.",
    "Fishing crews will moor in the southern basin while the work goes on this summer.",
]
OTHER_TITLE = "Ferry timetable to change as the island service gains a second boat"
OTHER = [
    "The island ferry will run every ninety minutes from next month, the operator said.",
    "A second boat, bought from a Norwegian operator, arrives in the harbour on Friday.",
    "Passengers have complained for years about queues at the slipway in the summer.",
    "The operator said fares would not rise before the end of the financial year.",
]
OTHER_URL = "https://daily.test/news/ferry"


def known(*extra: tuple[str, str, str]) -> KnownArticles:
    return KnownArticles.build([(OTHER_URL, OTHER_TITLE, " ".join(OTHER)), *extra])


def blocks(*texts: str) -> list[Block]:
    return [Block("p", t) for t in texts]


def test_known_articles_are_keys_picklable_and_merge_by_url() -> None:
    k = known()
    assert len(k) == 1 and k.titles and len(k.sentences) == len(OTHER)
    assert pickle.loads(pickle.dumps(k)) == k
    again = k.extended(
        [(OTHER_URL, OTHER_TITLE, "A later sentence that only the stored text has.")]
    )
    assert len(again) == 1 and len(again.sentences) == len(OTHER) + 1
    assert len(k.sentences) == len(OTHER)  # the original is unchanged


def test_an_anchored_teaser_goes_with_its_labels_and_extract() -> None:
    page = blocks(*OWN, OTHER_TITLE, "Daily Herald", "time26 minutes ago", OTHER_TITLE,
                  " ".join(OTHER[:3]), "What happens next")  # fmt: skip
    kept = drop_teasers(page, known(), url="https://daily.test/news/pier")
    assert [b.text for b in kept] == [*OWN, "What happens next"]


def test_a_known_headline_alone_is_dropped_and_the_article_goes_on() -> None:
    page = blocks(*OWN[:2], OTHER_TITLE, OWN[2])
    assert [b.text for b in drop_teasers(page, known())] == OWN


def test_without_its_headline_a_block_needs_three_of_the_other_articles_sentences() -> None:
    recap = f"{OTHER[0]} {OTHER[1]} The pier will reopen in the autumn, the board said."
    assert drop_teasers(blocks(*OWN, recap), known()) == blocks(*OWN, recap)  # two: kept
    extract = " ".join(OTHER[:3])
    assert drop_teasers(blocks(*OWN, extract), known()) == blocks(*OWN)


def test_the_article_itself_is_never_its_own_teaser() -> None:
    copy = blocks(*OTHER, OTHER_TITLE)  # a copy of the same story: a duplicate, not a teaser
    assert teaser_blocks(copy, known()) == set()
    by_url = blocks(*OWN, OTHER_TITLE, " ".join(OTHER[:3]))
    assert teaser_blocks(by_url, known(), url=OTHER_URL) == set()
    by_title = teaser_blocks(by_url, known(), title=OTHER_TITLE)
    assert by_title == set()
    # and a teaser needs some of the page's own text before it
    assert teaser_blocks(blocks(OTHER_TITLE, *OWN), known()) == set()


# --- boundaries -----------------------------------------------------------------------------
PROMO = ["Try Our AI Features", "Explore what Dayglass AI can do for you:"]
APP = ["Get Started Now", "app-storeplay-store"]


def body(n: int) -> list[str]:
    return [
        f"Paragraph {k} of story {n} says something new about the harbour and its pier, "
        f"with a detail ({n * 100 + k}) that no other page repeats."
        for k in range(5)
    ]


def site_pages(n: int = 6) -> list[tuple[str, str, list[str]]]:
    """Pages in the seed's layout: the promo box in the middle on odd pages, readers'
    comments on some (single paragraphs between names and times), a teaser, the app box."""
    pages = []
    for i in range(n):
        text = body(i)
        text = [*text[:2], *PROMO, *text[2:]] if i % 2 else [*text, *PROMO]
        text.append("Comments")
        if i % 3 == 0:
            comment = f"I walked past the pier on day {i} and nobody there had heard of it."
            text += ["Mara Quillon", "time2 hours ago", comment]
        else:
            text.append("No comments yet...")
        text += ["Related Articles", f"Other story {i + 100}", f"Extract {i}: " + body(i + 50)[0]]
        pages.append((f"https://daily.test/{i}", f"Story {i}", [*text, *APP]))
    return pages


def furniture_of(pages: list[tuple[str, str, list[str]]]) -> frozenset[str]:
    lines = [*PROMO, *APP, "Comments", "No comments yet...", "Related Articles",
             "Mara Quillon", "time2 hours ago"]  # fmt: skip
    return frozenset(fp for fp in map(fingerprint, lines) if fp)


def test_runs_after_counts_only_adjacent_unknown_paragraphs() -> None:
    prose = "A paragraph of running text that is long enough to count as the article's own."
    page = blocks("Comments", prose, "Name", prose, "Related", prose, prose)
    assert runs_after(page, set()) == [True, True, True, True, True, False, False]
    assert runs_after(page, {5}) == [False] * 7  # the known teaser breaks the run


def test_learned_boundaries_end_the_article_and_a_mid_article_promo_is_not_one() -> None:
    pages = site_pages()
    found = learn_boundaries(pages, furniture_of(pages), KnownArticles())
    names = {text for _, _, texts in pages for text in texts if fingerprint(text) in found}
    assert {"Comments", "Related Articles", "No comments yet..."} <= names
    assert not names & set(PROMO)  # the article goes on after it on some pages
    assert all(fingerprint(p) not in found for _, _, texts in pages for p in texts[:2])
    # too few pages teach nothing
    assert learn_boundaries(pages[:2], furniture_of(pages), KnownArticles()) == frozenset()


def test_a_page_ends_at_the_first_boundary_after_some_text() -> None:
    comments = frozenset({fingerprint("Comments") or ""})
    page = blocks("Comments", *body(1), "Comments", "A reader's comment.")
    assert cut_at_boundary(page, comments) == blocks("Comments", *body(1))
    assert cut_at_boundary(page, frozenset()) == page


def test_finish_applies_boundary_teasers_furniture_and_the_tail_rule() -> None:
    page = blocks(*OWN, OTHER_TITLE, " ".join(OTHER[:3]), *OWN[:1], "Comments", "Great piece!")
    site = SiteRules("daily.test", frozenset({fingerprint("Comments") or ""}), None, known())
    kept = finish(page, furniture=drop_furniture, site=site, url=None, title="Pier repairs")
    assert [b.text for b in kept] == [*OWN, OWN[0]]
    plain = finish(page, furniture=drop_furniture, site=None, url=None, title="Pier repairs")
    assert OTHER_TITLE in [b.text for b in plain]  # one page alone cannot know


def test_a_boundary_above_the_article_text_cuts_nothing() -> None:
    """Furniture above the headline and the headline itself (teased on other pages, so
    learned as a boundary there) are not the article's text: no cut before it starts."""
    title = "A headline long enough to pass the guard on its own if it counted as text"
    page = blocks("logo", title, title, *OWN, "Comments", "Nice.")
    site = SiteRules("daily.test", frozenset(filter(None, map(fingerprint, [title, "Comments"]))))
    learned = frozenset({fingerprint("logo") or ""})

    def furniture(texts: list[str]) -> list[str]:
        return [t for t in drop_furniture(texts) if fingerprint(t) not in learned]

    def headline(bs: list[Block]) -> list[Block]:
        return [b for b in bs if b.text != title]

    kept = finish(page, furniture=furniture, site=site, url=None, title=title, headline=headline)
    assert [b.text for b in kept] == OWN

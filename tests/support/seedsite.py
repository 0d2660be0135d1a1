"""A site laid out like issue 15's seed page, generated: pages, feed and the true text.

The seed page (an aggregator republishing other outlets' stories) shows, as plain
paragraphs inside the article's own container and with no class names to go by: the
headline twice, the source outlet and the date glued on one line ("Arab News04-06-2025"),
the article, a promo box (at the end on some pages, in the middle on others), a comments
block ("Comments" / "No comments yet..." or a few readers' comments), "Related Articles"
with another article's title (twice), outlet, "26 minutes ago" and a long extract of that
article, then a "DOWNLOAD THE APP" box.

Everything here is invented at run time: the outlet ("Dayglass"), its furniture, and the
articles, whose bodies come from the demo's sentence banks (``broadsheet.demo.content``)
unless the caller passes its own (``bench/seedsite.py`` can recombine a data set's text).
Two wordings of the furniture: the seed's own headings ("Comments", "Related Articles",
"DOWNLOAD THE APP", which the phrase tables know) and invented ones that no phrase table
knows, so a test can prove that the outlet's boundaries are learned, not looked up.
"""

from __future__ import annotations

import html
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from broadsheet.demo.content import OUTLETS, article_body, plan_articles
from tests.support.httpserver import Reply, TestServer

SOURCES = tuple(o for o in OUTLETS if o.language == "en")
FIRST_DAY = date(2025, 6, 2)
COMMENTERS = ("Mara Quillon", "Dev Oduya", "Petra Lindqvist", "Sol Ferrand", "Ines Mabry")
COMMENT_TEMPLATES = (
    "I walked past {subject} on {day} and nobody there had heard a word about any of this.",
    "Good to see {subject} in the news at last; my neighbours have argued about it for years.",
    "Does anyone know whether the {n} people mentioned here were ever asked for their view?",
    "My grandmother worked near {subject} for {n} years and would have laughed at this plan.",
)
EXTERNAL = 3  # teased articles that the site never serves
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Wording:
    """The site furniture, in the order the seed page shows it."""

    brand: str
    logo: str
    promo: tuple[str, ...]  # image alt text, heading, line: the promo box
    comments: str  # the comments heading
    no_comments: str
    related: str  # the related-articles heading
    time_icon: str  # an icon's text glued to "26 minutes ago"
    app: tuple[str, ...]  # the app box: heading, lines
    badges: tuple[str, str]

    def lines(self) -> list[str]:
        """Every furniture line a stored body must not contain."""
        return [
            self.logo,
            *self.promo,
            self.comments,
            self.no_comments,
            self.related,
            *self.app,
            "".join(self.badges),
        ]


SEED_WORDING = Wording(
    brand="Dayglass",
    logo="logo",
    promo=("Orange background", "Try Our AI Features", "Explore what Dayglass AI can do for you:"),
    comments="Comments",
    no_comments="No comments yet...",
    related="Related Articles",
    time_icon="time",
    app=(
        "DOWNLOAD THE APP",
        "Get Started Now: Download the App",
        "Ready to dive into a world of global content with local flavor? Download Dayglass "
        "app today from your preferred app store and start exploring.",
    ),
    badges=("app-store", "play-store"),
)
# The same layout with headings no phrase table knows (the site's own words).
INVENTED_WORDING = Wording(
    brand="Quillmoor",
    logo="Quillmoor masthead",
    promo=("Teal swirl", "Meet Quillmoor Lens", "See what Quillmoor Lens can untangle for you:"),
    comments="Reader letters",
    no_comments="Nobody has written in yet.",
    related="Elsewhere on Quillmoor",
    time_icon="clock",
    app=(
        "QUILLMOOR IN YOUR POCKET",
        "Quillmoor goes where you go",
        "Every story from every corner, on the bus and in the queue: Quillmoor for phones "
        "and tablets, with the morning edition waiting when you wake.",
    ),
    badges=("apple-badge", "android-badge"),
)


@dataclass
class Story:
    """One article of the site: what it says, and where."""

    index: int
    path: str
    title: str
    paragraphs: list[str]
    source: str  # the outlet the aggregator credits ("Arab News")
    day: date

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class SitePage:
    story: Story
    html: str
    related: list[int] = field(default_factory=list)  # indices of the teased stories
    comments: list[str] = field(default_factory=list)
    promo_inside: bool = False


@dataclass
class Site:
    wording: Wording
    stories: list[Story]
    pages: list[SitePage]
    day_first: bool
    lang: str = "en"

    def printed(self, day: date) -> str:
        return f"{day:%d-%m-%Y}" if self.day_first else f"{day:%m-%d-%Y}"

    def feed(self, base: str) -> str:
        """An RSS feed of every page: title, link and a standfirst; no dates."""
        items = "".join(
            f"<item><title>{html.escape(s.title)}</title><link>{base}{s.path}</link>"
            f"<guid>{base}{s.path}</guid>"
            f"<description>{html.escape(_standfirst(s))}</description></item>"
            for s in (page.story for page in self.pages)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.wording.brand}'
            f"</title><link>{base}/</link><language>en</language>{items}</channel></rss>"
        )


def _standfirst(story: Story, words: int = 30) -> str:
    lead = story.paragraphs[0].split()
    return " ".join(lead[:words]) + ("…" if len(lead) > words else "")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def invented_stories(n: int, seed: int = 15) -> list[tuple[str, list[str]]]:
    """``n`` invented articles (title, paragraphs) from the demo's English banks."""
    now = datetime(2025, 7, 1, 12, tzinfo=UTC)
    per_source = n // len(SOURCES) + 1
    # routine articles only: the demo's shared events are wire copy with one headline
    planned = [
        [a for a in plan_articles(o, 2 * per_source + 6, now, seed=seed) if a.event is None]
        for o in SOURCES
    ]
    out: list[tuple[str, list[str]]] = []
    for i in range(per_source):
        for plan in planned:
            if len(out) < n:
                out.append((plan[i].title, article_body(plan[i])))
    return out


def build_site(
    n: int = 12,
    *,
    wording: Wording = SEED_WORDING,
    day_first: bool = True,
    lang: str = "en",
    bodies: list[tuple[str, list[str]]] | None = None,
    seed: int = 15,
    external_every: int = 4,
) -> Site:
    """``n`` pages of one outlet in the seed's layout.

    Dates run from 2 June 2025, three days apart, so the first four pages print an
    ambiguous date (02-06-2025) and later ones a day above 12. Every page teases one or
    two other articles: other pages of the site, or (on every ``external_every``-th page,
    on every page with 1) articles the site never serves nor lists (``EXTERNAL`` of them),
    so nothing can know their text;
    every third page has readers' comments; the promo box sits in the middle of the
    article on odd pages and after it on even ones.
    """
    rng = random.Random(seed)
    bodies = bodies or invented_stories(n + EXTERNAL, seed)
    names = [o.name for o in SOURCES]
    stories = [
        Story(
            i,
            f"/news/{_slug(title)}-{1000 + i}",
            title,
            paragraphs,
            names[i % len(names)],
            date.fromordinal(FIRST_DAY.toordinal() + 3 * i),
        )
        for i, (title, paragraphs) in enumerate(bodies[: n + EXTERNAL])
    ]
    site = Site(wording, stories, [], day_first, lang)
    for story in stories[:n]:
        others = [s.index for s in stories[:n] if s.index != story.index]
        related = rng.sample(others, 2 if story.index % 2 else 1)
        if external_every and story.index % external_every == external_every - 1:
            related = rng.sample(range(n, len(stories)), min(len(related), len(stories) - n))
        comments = []
        if story.index % 3 == 2:
            subject = " ".join(story.title.split()[-3:])
            for k in range(1 + story.index % 2):
                template = COMMENT_TEMPLATES[(story.index + k) % len(COMMENT_TEMPLATES)]
                comments.append(
                    template.format(subject=subject, day=DAYS[(story.index + k) % 7], n=3 + k)
                )
        page = SitePage(story, "", related, comments, promo_inside=story.index % 2 == 1)
        page.html = render_page(site, page, rng)
        site.pages.append(page)
    return site


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def render_page(site: Site, page: SitePage, rng: random.Random) -> str:
    w, story = site.wording, page.story
    title = html.escape(story.title)
    promo = (
        f"<div><p>{html.escape(w.promo[0])}</p><h3>{html.escape(w.promo[1])}</h3>"
        f"{_p(w.promo[2])}</div>"
    )
    body = [_p(p) for p in story.paragraphs]
    if page.promo_inside:
        body.insert(max(2, len(body) // 2), promo)
    else:
        body.append(promo)
    if page.comments:
        thread = "".join(
            f"<div><p><b>{COMMENTERS[(story.index + k) % len(COMMENTERS)]}</b></p>"
            f"<p><span>{w.time_icon}</span>{2 + k} hours ago</p>{_p(c)}</div>"
            for k, c in enumerate(page.comments)
        )
        comments = f"<h3>{html.escape(w.comments)}</h3>{thread}"
    else:
        comments = f"<h3>{html.escape(w.comments)}</h3>{_p(w.no_comments)}"
    teasers = []
    for j in page.related:
        other = site.stories[j]
        keep = rng.randint(max(2, len(other.paragraphs) - 2), len(other.paragraphs))
        extract = " ".join(other.paragraphs[:keep])  # one long block, as on the seed page
        other_title = html.escape(other.title)
        minutes = rng.randint(5, 55)
        teasers.append(
            f'<div><a href="{other.path}"><h4>{other_title}</h4></a><p>{other_title}</p>'
            f"<p>{html.escape(other.source)}</p>"
            f"<p><span>{w.time_icon}</span>{minutes} minutes ago</p>"
            f"<ul><li>{html.escape(other.source)}</li></ul>"
            f"<h4>{other_title}</h4>{_p(extract)}</div>"
        )
    app = (
        f"<div><h3>{html.escape(w.app[0])}</h3>{''.join(_p(x) for x in w.app[1:])}"
        f"<p><span>{w.badges[0]}</span><span>{w.badges[1]}</span></p></div>"
    )
    return f"""<!doctype html>
<html lang="{site.lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><article>
<p><a href="/"><span>{html.escape(w.logo)}</span></a></p>
<h1>{title}</h1>
<h2>{title}</h2>
<p><span>{html.escape(story.source)}</span><span>{site.printed(story.day)}</span></p>
{"".join(body)}
{comments}
<h3>{html.escape(w.related)}</h3>
{"".join(teasers)}
{app}
</article></main>
</body></html>"""


# --- serving and scoring ----------------------------------------------------------------------
def serve(server: TestServer, site: Site) -> str:
    """Route the site's feed and pages on a loopback test server; the feed's URL."""
    server.route(
        "/feed.xml",
        Reply(body=site.feed(server.base), headers={"content-type": "application/rss+xml"}),
    )
    for page in site.pages:
        server.route(page.story.path, Reply(body=page.html, headers={"content-type": "text/html"}))
    return server.url("/feed.xml")


_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’]*\s+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def word_f1(found: str, truth: str) -> float:
    """Bag-of-words F1 of a stored body against the true text."""
    a, b = Counter(_WORD.findall(found.lower())), Counter(_WORD.findall(truth.lower()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def sentences(text: str) -> set[str]:
    return {_norm(s) for line in text.split("\n") for s in _SENTENCE.split(line) if _norm(s)}


@dataclass
class PageScore:
    f1: float
    furniture: list[str]  # stored paragraphs that are the page's furniture lines
    others: list[str]  # stored sentences that are other articles' (and not this one's)


def furniture_lines(site: Site, page: SitePage) -> set[str]:
    """Every line of the page that is not the article: the site's furniture, the glued
    outlet + date line, teasers' labels and readers' comments."""
    w, story = site.wording, page.story
    lines = [*w.lines(), f"{story.source}{site.printed(story.day)}", story.title]
    for j in page.related:
        other = site.stories[j]
        lines += [other.title, other.source]
    for k, comment in enumerate(page.comments):
        lines += [COMMENTERS[(story.index + k) % len(COMMENTERS)], comment]
    return {_norm(line) for line in lines}


_TIME_LINE = re.compile(r"^\w+ ?\d+ (minutes|hours) ago$")


def score(site: Site, page: SitePage, stored: str) -> PageScore:
    own = sentences(page.story.text)
    others = set().union(*(sentences(s.text) for s in site.stories if s is not page.story))
    lines = furniture_lines(site, page)
    paragraphs = [p for p in stored.split("\n\n") if p.strip()]
    furniture = [p for p in paragraphs if _norm(p) in lines or _TIME_LINE.match(p.strip())]
    leaked = [s for s in sentences(stored) if s in others and s not in own]
    return PageScore(word_f1(stored, page.story.text), furniture, leaked)

"""HTML pages of the demo outlets: home, section and article pages with real furniture.

The article pages look like a real news site's: a masthead and nav menu, a cookie-consent
banner, a "download our app" banner and a share bar inside the article column, a
newsletter box in the middle of the text, a related-articles list and a footer — all the
things extraction must learn to leave out. Every page carries the sample-content notice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from broadsheet.demo.banks import BEATS
from broadsheet.demo.content import (
    SAMPLE_NOTICE,
    Outlet,
    SampleArticle,
    article_body,
    article_summary,
    slugify,
)

FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
}

_CSS = """
body{font-family:Georgia,serif;margin:0;color:#222}
.site-header{display:flex;gap:1em;align-items:center;padding:.6em 1em;color:#fff}
.site-header a{color:#fff}.main-nav ul{display:flex;gap:1em;list-style:none}
.cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#333;color:#eee;padding:1em}
main{max-width:44em;margin:auto;padding:1em}.app-banner,.newsletter-signup{background:#f3f0e8;
padding:.8em;border-radius:6px}.share-bar a{margin-right:.6em}
.site-footer{border-top:1px solid #ccc;padding:1em;font-size:.9em;color:#555}
""".strip()


def _section_url(outlet: Outlet, beat: str) -> str:
    return f"/section/{slugify(outlet.bank.beats[beat].section)}/"


def beat_for_section(outlet: Outlet, section_slug: str) -> str | None:
    for beat in BEATS:
        if slugify(outlet.bank.beats[beat].section) == section_slug:
            return beat
    return None


def _shown_date(article: SampleArticle) -> str:
    pattern = {"en": "%d %b %Y, %H:%M", "de": "%d.%m.%Y, %H:%M Uhr"}
    return article.published.strftime(pattern.get(article.outlet.language, "%d/%m/%Y %H:%M"))


def _page(
    outlet: Outlet,
    base: str,
    title: str,
    head: str,
    main: str,
    feeds: Sequence[tuple[str, str]],
    year: int,
) -> str:
    """The site shell: head, cookie banner, masthead with nav, main column, footer."""
    ui = outlet.bank.furniture
    alternates = "\n".join(
        f'<link rel="alternate" type="{FEED_TYPES[kind]}" title="{escape(outlet.name)}" '
        f'href="{base}{path}">'
        for kind, path in feeds
    )
    nav = "".join(
        f'<li><a href="{_section_url(outlet, beat)}">'
        f"{escape(outlet.bank.beats[beat].section)}</a></li>"
        for beat in BEATS
    )
    return f"""<!DOCTYPE html>
<html lang="{outlet.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" type="image/png" sizes="32x32" href="/favicon.png">
<link rel="shortcut icon" href="/favicon.ico">
{alternates}
{head}
<style>{_CSS}</style>
</head>
<body>
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookies">
<p>{escape(ui.cookie)}</p>
<button type="button">{escape(ui.cookie_accept)}</button> <a href="/private/privacy">Privacy</a>
</div>
<header class="site-header" style="background:{outlet.colour}">
<a class="logo" href="/"><img src="/favicon.png" alt="" width="32" height="32">
{escape(outlet.name)}</a>
<nav class="main-nav" aria-label="Sections">
<ul><li><a href="/">{escape(ui.home)}</a></li>{nav}</ul>
</nav>
<a class="subscribe" href="/private/subscribe">Subscribe</a>
</header>
<main>
{main}
</main>
<footer class="site-footer">
<p>© {year} {escape(outlet.name)}. {escape(ui.rights)}</p>
<p class="sample-notice">{SAMPLE_NOTICE}.</p>
<nav aria-label="Footer"><a href="/about">About</a> · <a href="/private/contact">Contact</a> ·
<a href="/private/privacy">Privacy</a></nav>
</footer>
</body>
</html>
"""


def render_listing(
    outlet: Outlet,
    base: str,
    heading: str,
    articles: Sequence[SampleArticle],
    feeds: Sequence[tuple[str, str]],
    year: int,
) -> str:
    """The home page or a section page: the latest headlines, newest first."""
    items = "\n".join(
        f'<li><a href="{a.path}">{escape(a.title)}</a> '
        f'<time datetime="{a.published.isoformat()}">{_shown_date(a)}</time></li>'
        for a in articles
    )
    head = (
        f'<meta name="description" content="{escape(outlet.tagline)}">\n'
        f'<meta property="og:site_name" content="{escape(outlet.name)}">\n'
        f'<meta property="og:type" content="website">'
    )
    main = (
        f"<h1>{escape(heading)}</h1>\n<p>{escape(outlet.tagline)}</p>\n"
        f'<ul class="latest">\n{items}\n</ul>'
    )
    return _page(outlet, base, f"{heading} | {outlet.name}", head, main, feeds, year)


def related_to(
    article: SampleArticle, articles: Sequence[SampleArticle], k: int = 4
) -> list[SampleArticle]:
    """Other articles of the same section, nearest in time first."""
    same = [a for a in articles if a.beat == article.beat and a.path != article.path]
    same.sort(key=lambda a: abs((a.published - article.published).total_seconds()))
    return same[:k]


def render_article(
    article: SampleArticle,
    base: str,
    related: Sequence[SampleArticle],
    feeds: Sequence[tuple[str, str]],
) -> str:
    outlet, ui = article.outlet, article.outlet.bank.furniture
    url = base + article.path
    published = article.published.isoformat()
    summary = article_summary(article, 30)
    head = f"""<link rel="canonical" href="{url}">
<meta name="description" content="{escape(summary)}">
<meta name="author" content="{escape(article.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:site_name" content="{escape(outlet.name)}">
<meta property="og:url" content="{url}">
<meta property="og:description" content="{escape(summary)}">
<meta property="article:published_time" content="{published}">
<meta property="article:section" content="{escape(article.section)}">"""
    if outlet.language != "de":  # one outlet relies on meta tags alone
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": published,
            "inLanguage": outlet.language,
            "author": {"@type": "Person", "name": article.author},
            "publisher": {"@type": "Organization", "name": outlet.name},
            "mainEntityOfPage": url,
        }
        ld = json.dumps(data, ensure_ascii=False)
        head += f'\n<script type="application/ld+json">{ld}</script>'

    paragraphs = [f"<p>{escape(p)}</p>" for p in article_body(article)]
    middle = len(paragraphs) // 2
    paragraphs.insert(
        middle,
        f"""<aside class="newsletter-signup">
<p>{escape(ui.newsletter)}</p>
<form action="/private/newsletter" method="post">
<input type="email" name="email" placeholder="you@example.org">
<button type="submit">{escape(ui.newsletter_button)}</button>
</form>
</aside>""",
    )
    share = " ".join(
        f'<a href="{target}{url}">{name}</a>'
        for name, target in (
            ("Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
            ("X", "https://x.com/intent/post?url="),
            ("WhatsApp", "https://wa.me/?text="),
            ("Email", "mailto:?body="),
        )
    )
    links = "\n".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in related)
    body = "\n".join(paragraphs)
    main = f"""<article class="article">
<div class="app-banner"><p>{escape(ui.app)}</p>
<a href="/app">App Store</a> · <a href="/app">Google Play</a></div>
<p class="kicker"><a href="{_section_url(outlet, article.beat)}">{escape(article.section)}</a></p>
<h1>{escape(article.title)}</h1>
<p class="byline">{escape(ui.byline)} <span class="author">{escape(article.author)}</span> ·
<time datetime="{published}">{_shown_date(article)}</time></p>
<div class="share-bar"><span>{escape(ui.share)}:</span> {share}</div>
<div class="article-body">
{body}
</div>
<aside class="related"><h2>{escape(ui.related)}</h2>
<ul>
{links}
</ul>
</aside>
</article>"""
    return _page(
        outlet, base, f"{article.title} | {outlet.name}", head, main, feeds, article.published.year
    )


def render_not_found(outlet: Outlet, base: str, feeds: Sequence[tuple[str, str]], year: int) -> str:
    return _page(
        outlet,
        base,
        f"Not found | {outlet.name}",
        "",
        '<h1>Page not found</h1>\n<p><a href="/">Home</a></p>',
        feeds,
        year,
    )

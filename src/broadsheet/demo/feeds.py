"""The demo outlets' feeds: RSS 2.0, Atom, JSON Feed 1.1 and a Google News sitemap.

Each function turns an outlet's articles (newest first) into the bytes of one document.
Feed descriptions carry the sample-content notice. ``tracking`` appends the kind of
``?utm_source=`` parameters real feeds put on their links; the pages' canonical URLs stay
clean.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from broadsheet.demo.content import (
    SAMPLE_NOTICE,
    Outlet,
    SampleArticle,
    article_body,
    article_summary,
)

TRACKING = "?utm_source=rss&utm_medium=feed&utm_campaign=headlines"
_RSS_NS = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'
)


def _guid(article: SampleArticle) -> str:
    return f"urn:broadsheet-demo:{article.outlet.slug}:{article.index}"


def _description(outlet: Outlet) -> str:
    return f"{outlet.tagline}. {SAMPLE_NOTICE}."


def _updated(articles: Sequence[SampleArticle], now: datetime) -> datetime:
    return articles[0].published if articles else now


def _body_html(article: SampleArticle) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in article_body(article))


def rss(
    outlet: Outlet,
    base: str,
    feed_url: str,
    articles: Sequence[SampleArticle],
    now: datetime,
    *,
    full: bool,
    tracking: bool,
) -> bytes:
    items = []
    for a in articles:
        link = base + a.path + (TRACKING if tracking else "")
        content = ""
        if full:
            html = _body_html(a).replace("]]>", "]]&gt;")
            content = f"\n<content:encoded><![CDATA[{html}]]></content:encoded>"
        items.append(f"""<item>
<title>{escape(a.title)}</title>
<link>{escape(link)}</link>
<guid isPermaLink="false">{_guid(a)}</guid>
<pubDate>{format_datetime(a.published)}</pubDate>
<dc:creator>{escape(a.author)}</dc:creator>
<category>{escape(a.section)}</category>
<description>{escape(article_summary(a))}</description>{content}
</item>""")
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" {_RSS_NS}>
<channel>
<title>{escape(outlet.name)}</title>
<link>{base}/</link>
<description>{escape(_description(outlet))}</description>
<language>{outlet.language}-{outlet.country.lower()}</language>
<lastBuildDate>{format_datetime(_updated(articles, now))}</lastBuildDate>
<atom:link href="{escape(feed_url)}" rel="self" type="application/rss+xml"/>
<image><url>{base}/favicon.png</url><title>{escape(outlet.name)}</title><link>{base}/</link></image>
{body}
</channel>
</rss>
""".encode()


def atom(
    outlet: Outlet,
    base: str,
    feed_url: str,
    articles: Sequence[SampleArticle],
    now: datetime,
    *,
    tracking: bool,
) -> bytes:
    entries = []
    for a in articles:
        link = base + a.path + (TRACKING.replace("rss", "atom") if tracking else "")
        entries.append(f"""<entry>
<title>{escape(a.title)}</title>
<link rel="alternate" type="text/html" href="{escape(link)}"/>
<id>{_guid(a)}</id>
<published>{a.published.isoformat()}</published>
<updated>{a.published.isoformat()}</updated>
<author><name>{escape(a.author)}</name></author>
<category term="{escape(a.section)}"/>
<summary type="text">{escape(article_summary(a))}</summary>
</entry>""")
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">
<title>{escape(outlet.name)}</title>
<subtitle>{escape(_description(outlet))}</subtitle>
<link rel="alternate" type="text/html" href="{base}/"/>
<link rel="self" type="application/atom+xml" href="{escape(feed_url)}"/>
<id>urn:broadsheet-demo:{outlet.slug}</id>
<updated>{_updated(articles, now).isoformat()}</updated>
<icon>{base}/favicon.png</icon>
<rights>© {escape(outlet.name)}</rights>
{body}
</feed>
""".encode()


def jsonfeed(outlet: Outlet, base: str, feed_url: str, articles: Sequence[SampleArticle]) -> bytes:
    items = [
        {
            "id": _guid(a),
            "url": base + a.path,
            "title": a.title,
            "summary": article_summary(a, 25),
            "content_html": f"<p>{escape(article_summary(a))}</p>",
            "date_published": a.published.isoformat(),
            "authors": [{"name": a.author}],
            "tags": [a.section],
            "language": outlet.language,
        }
        for a in articles
    ]
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.name,
        "home_page_url": base + "/",
        "feed_url": feed_url,
        "description": _description(outlet),
        "icon": base + "/favicon.png",
        "favicon": base + "/favicon.png",
        "language": outlet.language,
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def news_sitemap(outlet: Outlet, base: str, articles: Sequence[SampleArticle]) -> bytes:
    urls = "\n".join(
        f"""<url>
<loc>{escape(base + a.path)}</loc>
<lastmod>{a.published.isoformat()}</lastmod>
<news:news>
<news:publication><news:name>{escape(outlet.name)}</news:name><news:language>{outlet.language}</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title>{escape(a.title)}</news:title>
</news:news>
</url>"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {SAMPLE_NOTICE}. -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
""".encode()

"""Reader pages: the home page (latest articles), the article page, outlet icons, health.

Handlers are plain ``def``: the store is synchronous, so FastAPI runs them in its thread
pool. Every value from a publisher is text for the autoescaping templates; the one
exception is ``article.html``, sanitized with nh3 before it was stored.
"""

from __future__ import annotations

import hashlib
import html
import re
import zlib
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from markupsafe import Markup

from broadsheet.config import Settings
from broadsheet.models import ArticleTeaser, StoredArticle
from broadsheet.web import feeds_out, i18n

router = APIRouter()

_DB_ID = re.compile(r"^[1-9][0-9]{0,17}\Z")  # positive, and fits a signed 64-bit integer
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_LEADING_BLOCK = re.compile(r"^\s*<(h[1-6]|p)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
BLURB_CHARS = 280
BADGE_COLOURS = 8
ICON_CACHE = "public, max-age=86400"

# Declared types we accept for outlet icons. SVG never: it can carry script.
ICON_TYPES = frozenset(
    {
        "image/png",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "image/gif",
        "image/jpeg",
        "image/webp",
    }
)


# --- rendering ------------------------------------------------------------------------


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the reader's locale and date helpers in the context."""
    state = request.app.state
    settings: Settings = state.settings
    lang = i18n.current_language()
    locale = i18n.date_locale(lang, request.headers.get("accept-language"), settings.locale)
    now: datetime = state.clock()

    def reltime(dt: datetime) -> str:
        return i18n.relative_time(dt, now, locale)

    shown: dict[tuple[datetime, str], str] = {}  # a story page shows half its times twice

    def absdate(dt: datetime, width: str = "long") -> str:
        text = shown.get((dt, width))
        if text is None:
            text = shown[dt, width] = i18n.absolute_datetime(dt, settings.timezone, locale, width)
        return text

    body = state.templates.get_template(template).render(
        request=request,
        ui_lang=lang,
        ui_dir=i18n.text_direction(lang),
        locale_tag=i18n.html_lang(locale),
        alternates=feeds_out.alternates(
            request.url.path, dict(request.query_params), feed_title(context)
        )
        if status_code == 200
        else [],
        reltime=reltime,
        absdate=absdate,
        **context,
    )
    headers = {"vary": "Accept-Language, Cookie"}
    if getattr(request.state, "reader", None) is not None:
        # a signed-in reader's page carries their name and form tokens: never kept by a
        # shared cache, nor by the service worker for offline reading
        headers["cache-control"] = "private, no-store"
    return HTMLResponse(body, status_code=status_code, headers=headers)


def ui_language(request: Request) -> str:
    """The language of the interface the reader sees (``ui_lang`` in the templates): English
    until the interface's catalogs land; handlers that choose content by the reader's
    language (a story's summary lines) ask here."""
    return str(getattr(request.state, "ui_lang", None) or "en")


def feed_title(context: dict[str, Any]) -> str:
    """A name for a page's feeds: its heading when it has one."""
    heading = context.get("heading")
    return f"{heading} — Broadsheet" if isinstance(heading, str) and heading else "Broadsheet"


@router.post("/language")
async def set_language(request: Request) -> Response:
    """The language switcher: the choice goes in a cookie and, for a signed-in reader, in
    their account; then back to the page it was made on. A cross-site post is refused (the
    Origin check); a language the interface does not speak is a 400."""
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import RedirectResponse

    from broadsheet.web import guard

    if not guard.same_origin(request):
        raise HTTPException(status_code=403)
    form = await guard.read_form(request)
    lang = form.get("lang", "")
    if lang not in i18n.LANGUAGES:
        raise HTTPException(status_code=400)
    reader = await run_in_threadpool(guard.current_reader, request)
    if reader is not None and reader.language != lang:
        await run_in_threadpool(request.app.state.store.update_user, reader.id, language=lang)
    response = RedirectResponse(guard.local_path(form.get("next", "/")), status_code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        lang,
        max_age=i18n.LANGUAGE_COOKIE_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


# --- template filters -------------------------------------------------------------------


def badge_letter(name: str) -> str:
    """The first letter or digit of an outlet's name, for its stand-in icon."""
    for char in name:
        if char.isalnum():
            return char.upper()
    return "•"


def badge_colour(name: str) -> int:
    """A stable colour number for an outlet's stand-in icon (a CSS class, not a style)."""
    return zlib.crc32(name.casefold().encode("utf-8")) % BADGE_COLOURS


def blurb(article: StoredArticle | ArticleTeaser) -> str:
    """One line of text under a headline: the description, else the first paragraph."""
    if isinstance(article, ArticleTeaser):
        source = article.lead.strip().split("\n\n", 1)[0]
    else:
        source = article.description or article.text.strip().split("\n\n", 1)[0]
    line = _SPACES.sub(" ", source).strip()
    if len(line) > BLURB_CHARS:
        line = line[:BLURB_CHARS].rsplit(" ", 1)[0] + "…"
    return line


def web_url(url: str | None) -> str | None:
    """``url`` if it is http(s), else None: a link never gets another scheme."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def strip_leading_headline(body: str, title: str) -> str:
    """Drop a first heading or paragraph that repeats the headline: it shows once."""
    match = _LEADING_BLOCK.match(body)
    if match and _plain(match.group(2)) == _plain(title):
        return body[match.end() :].lstrip()
    return body


def _plain(fragment: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAGS.sub("", fragment))).strip().casefold()


@pass_context
def language_name(ctx: Any, code: str | None) -> str:
    """``{{ code|language_name }}``: the name in the page's interface language."""
    return i18n.language_name(code, str(ctx.get("ui_lang") or "en"))


@pass_context
def country_name(ctx: Any, code: str | None) -> str:
    """``{{ code|country_name }}``: the name in the page's interface language."""
    return i18n.country_name(code, str(ctx.get("ui_lang") or "en"))


FILTERS = {
    "language_name": language_name,
    "country_name": country_name,
    "badge_letter": badge_letter,
    "badge_colour": badge_colour,
    "blurb": blurb,
    "web_url": web_url,
}


# --- routes -----------------------------------------------------------------------------


def _db_id(raw: str) -> int:
    if not _DB_ID.match(raw):
        raise HTTPException(status_code=404)
    return int(raw)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, page: int = Query(default=1, ge=1, le=100_000)) -> HTMLResponse:
    from broadsheet.web.stories import home_stories

    stories = home_stories(request, page)  # top stories, once there are stories
    if stories is not None:
        return stories
    if page > 1:  # before the first story, the home page is the first page of /latest
        raise HTTPException(status_code=404)
    settings: Settings = request.app.state.settings
    found = request.app.state.store.latest_page(settings.page_size)
    older = f"/latest?before={found.older}" if found.older else None
    return render(
        request,
        "home.html",
        articles=found.items,
        paged=False,
        newer_href=None,
        older_href=older,
        fetching=None if found.items else fetching_status(request.app.state.store.list_sources()),
    )


def fetching_status(sources: list[Any]) -> dict[str, Any]:
    """What an empty home page says about its sources: how many there are, how many fail
    and the commonest reason (e.g. every feed failing on a machine without a network)."""
    enabled = [s for s in sources if s.enabled]
    failing = [s for s in enabled if s.error_count]
    reasons: dict[str, int] = {}
    for s in failing:
        reason = (s.last_error or "unknown error").split(": ")[-1][:160]
        reasons[reason] = reasons.get(reason, 0) + 1
    commonest = max(reasons.items(), key=lambda kv: kv[1])[0] if reasons else None
    return {"sources": len(enabled), "failing": len(failing), "reason": commonest}


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    """An article, its story's coverage, related stories, understanding and comments: some
    ten small reads, made on one connection in one read transaction (not one each)."""
    key = _db_id(article_id)
    with request.app.state.store.reading_together():
        return _article_page(request, key)


def _article_page(request: Request, article_id: int) -> HTMLResponse:
    article = request.app.state.store.get_article(article_id)
    if article is None:
        raise HTTPException(status_code=404)
    from broadsheet.web.anchors import anchor_sentences

    version = article_version(article)

    def anchored() -> Markup:  # sanitized upstream; anchors (#s-N) only wrap text in spans
        return Markup(
            anchor_sentences(strip_leading_headline(article.html, article.title), article.text)
        )

    body = request.app.state.article_parts.get_or_make(("body", *version), anchored)
    original = web_url(article.canonical_url) or web_url(article.url)
    from broadsheet.web.readers import article_extras
    from broadsheet.web.stories import article_sections
    from broadsheet.web.understand import panel

    return render(
        request,
        "article.html",
        article=article,
        body=body,
        original=original,
        outlet_country=outlet_country(request, article.source_id),
        panel=panel(request, article, version),
        sections=article_sections(request, article),
        readers=article_extras(request, article),
    )


def article_version(article: StoredArticle) -> tuple[int, bytes]:
    """What the article page's own work on an article (its anchored body, the understanding
    panel's sentences) is kept under (``app.state.article_parts``): the id and a digest of
    the title, text and HTML, so an article whose text changes is worked on again."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (article.title, article.text, article.html):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return article.id, digest.digest()


def outlet_country(request: Request, source_id: int) -> str | None:
    """The outlet's country (ISO code), for the article's header to link its place page:
    the one column (``get_source`` counts the outlet's articles, a cost that grows with
    the store, on every article view)."""
    return request.app.state.store.source_country(source_id) or None


@router.get("/icons/{source_id}")
def icon(request: Request, source_id: str) -> Response:
    found = request.app.state.store.get_icon(_db_id(source_id))
    if found is None:
        raise HTTPException(status_code=404)
    body, declared = found
    served_as = sniff_icon(body)
    if declared.split(";")[0].strip().lower() not in ICON_TYPES or served_as is None:
        raise HTTPException(status_code=404)
    return Response(
        body,
        media_type=served_as,
        headers={"cache-control": ICON_CACHE, "x-content-type-options": "nosniff"},
    )


def sniff_icon(body: bytes) -> str | None:
    """The raster type the bytes really are, or None (SVG, HTML, anything else)."""
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if body.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if body.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    return None

"""The Daily 8 by mail: each reader who asked for it gets the day's eight stories of their
edition once, through the operator's SMTP server, from ``digest_hour`` on (site time).

Once per reader and day, even when the worker restarts mid-send: every send is claimed in
the store (a row per reader and day, primary key (reader, day), committed) *before* the
message goes to the SMTP server, and marked sent after. A crash between the server taking
the message and the mark leaves the claim, so the next run skips that reader: at most
once, never twice (see store/digests.py). A failure that proves the server did not take
the message (not reached, refused) is recorded as ``failed`` and tried again next round.

Every mail carries an unsubscribe link that works without signing in: the reader's id
signed with the site's key (itsdangerous), also in ``List-Unsubscribe`` with one-click
``List-Unsubscribe-Post`` (RFC 8058).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeSerializer

from broadsheet import daily8, i18n, mail
from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError, MailError

if TYPE_CHECKING:
    from broadsheet.store import Store

log = logging.getLogger(__name__)

SECRET_META_KEY = "web_secret_key"
_SALT = "daily8-unsubscribe"


def site_secret(settings: Settings, store: Store) -> str:
    """The site's signing key: from settings, else made once and kept in the store (the
    web app and the worker share it)."""
    if settings.secret_key:
        return str(settings.secret_key)
    return str(store.meta_setdefault(SECRET_META_KEY, secrets.token_urlsafe(32)))


def unsubscribe_token(secret: str, user_id: int) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps({"u": user_id})


def unsubscribe_user(secret: str, token: str) -> int | None:
    """The reader an unsubscribe token names, or None for a forged or broken one."""
    if len(token) > 200:
        return None
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    uid = data.get("u") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) and not isinstance(uid, bool) else None


def site_origin(settings: Settings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def due_day(settings: Settings, now: datetime) -> date | None:
    """The day whose digest is due now (site time), or None before ``digest_hour``."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(settings.timezone))
    return local.date() if local.hour >= settings.digest_hour else None


@dataclass
class Round:
    day: str | None = None
    sent: int = 0
    failed: int = 0  # refused or not reached: tried again next round
    unknown: int = 0  # may have been taken: never sent again
    empty: int = 0  # readers whose edition had no stories yet: nothing sent, nothing claimed


def mail_language(reader: dict[str, Any], edition: str, settings: Settings) -> str:
    """The language a reader's mail is written in: their own (chosen on the site), else
    their edition's when the site speaks it, else the site's, else English."""
    parts = daily8.parts(edition)
    return (
        i18n.offered(reader.get("language"))
        or i18n.offered(parts[1] if parts else None)
        or i18n.offered(settings.locale)
        or i18n.DEFAULT_LANGUAGE
    )


def message(
    settings: Settings,
    edition: dict[str, Any],
    day: date,
    name: str,
    unsubscribe: str,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one reader's digest, in language ``lang`` (Arabic's
    HTML right to left; the stories' own text keeps its direction)."""
    translations = i18n.catalog(lang)
    _, ngettext = translations.gettext, translations.ngettext
    origin = site_origin(settings)
    code = edition.get("edition") or daily8.WORLD
    page = f"{origin}{daily8.page_path(code)}/{day.isoformat()}"  # the edition's day
    when = i18n.format_day(day, lang)
    parts = daily8.parts(code)
    label = i18n.edition_label(*parts, lang) if parts else _("World")
    subject = _("The Daily 8 — %(day)s") % {"day": when}
    hello = _("Hello %(name)s,") % {"name": name}
    text = [hello, "", f"{subject} · {_('Edition')}: {label}", ""]
    direction = i18n.text_direction(lang)
    html = [
        f'<!doctype html><html lang="{lang}" dir="{direction}"><body dir="{direction}" '
        'style="font-family:Georgia,serif;max-width:40em">',
        f"<p>{escape(hello)}</p><h1>{escape(subject)}</h1>",
        f"<p>{escape(_('Edition'))}: <bdi>{escape(label)}</bdi></p><ol>",
    ]
    for n, item in enumerate(edition["items"], 1):
        link = f"{origin}/stories/{int(item['story'])}"
        lines = item["lines"][:3]
        outlets = ngettext("%(count)s outlet", "%(count)s outlets", int(item["outlets"])) % {
            "count": int(item["outlets"])
        }
        text += [f"{n}. {item['title']}", *(f"  {ln['text']}" for ln in lines)]
        text += [f"  {outlets} · {link}", ""]
        html.append(
            f'<li><h2 style="font-size:1.1em" dir="auto"><a href="{escape(link)}">'
            f"{escape(item['title'])}</a></h2>"
            + "".join(_line_html(ln) for ln in lines)
            + f"<p><small>{escape(outlets)}</small></p></li>"
        )
    why = _("You get this mail because you asked for it on your Broadsheet account.")
    stop, no_sign_in = _("Stop these mails"), _("(no sign-in needed)")
    day_page = _("The day's page")
    text += [
        f"{day_page}: {page}",
        "",
        why,
        f"{stop} {no_sign_in}: {unsubscribe}",
        "",
    ]
    html.append(
        f'</ol><p><a href="{escape(page)}">{escape(day_page)}</a></p>'
        f'<p><small>{escape(why)} <a href="{escape(unsubscribe)}">{escape(stop)}</a> '
        f"{escape(no_sign_in)}</small></p></body></html>"
    )
    return subject, "\n".join(text), "".join(html)


def _line_html(line: dict[str, Any]) -> str:
    lang = line.get("language")
    attr = f' lang="{escape(lang)}"' if lang else ""
    return f'<p dir="auto"{attr}>{escape(line["text"])}</p>'


def send_due(settings: Settings, store: Store, now: datetime, limit: int = 500) -> Round:
    """One round: every reader due today gets their mail (claimed first, then sent, then
    recorded). Safe to run in several processes at once: the claim decides."""
    result = Round()
    if not settings.smtp_host:
        return result
    day = due_day(settings, now)
    if day is None:
        return result
    result.day = key = day.isoformat()
    readers = store.digest_readers_due(key, limit)
    if not readers:
        return result
    secret = site_secret(settings, store)
    editions: dict[str, dict[str, Any]] = {}
    for reader in readers:
        code = reader["edition"] or daily8.WORLD
        if code not in editions:
            editions[code] = daily8.edition_for(store, day, now, settings.timezone, code)
        edition = editions[code]
        if not edition["items"]:
            result.empty += 1
            continue
        if not store.claim_digest(reader["id"], key, code, now):
            continue  # another round (or process) has it
        token = unsubscribe_token(secret, reader["id"])
        link = f"{site_origin(settings)}/digest/unsubscribe/{token}"
        lang = mail_language(reader, code, settings)
        subject, text, html = message(settings, edition, day, reader["display_name"], link, lang)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": "The Daily 8 <daily8.broadsheet>",
            "Auto-Submitted": "auto-generated",
        }
        try:
            mail.send(settings, reader["email"], subject, text, html=html, headers=headers)
        except MailError as exc:
            status = "unknown" if exc.maybe_sent else "failed"
            if exc.maybe_sent:
                result.unknown += 1
            else:
                result.failed += 1
            log.warning("digest for reader %s not sent (%s): %s", reader["id"], status, exc)
            _finish(store, reader["id"], key, status, now, str(exc)[:200])
            continue
        result.sent += 1
        _finish(store, reader["id"], key, "sent", now, None)
    if result.sent or result.failed or result.unknown:
        log.info(
            "Daily 8 digest %s: %d sent, %d failed, %d unknown",
            key,
            result.sent,
            result.failed,
            result.unknown,
        )
    return result


def _finish(
    store: Store, user_id: int, day: str, status: str, now: datetime, error: str | None
) -> None:
    try:
        store.finish_digest(user_id, day, status, now, error)
    except BroadsheetError as exc:  # the claim stays "sending": never sent twice
        log.warning("digest for reader %s: send not recorded: %s", user_id, exc)

"""Webhooks on the reader's account page: register a URL to be told of new stories that
match their follows or a search, see each one's last delivery, delete it. The address is
checked here (http/https, a public address unless ``allow_private_networks``) and again
at every delivery by the fetcher's guard (``orchestrate/webhooks.py``), so a name that
later resolves to a private address is refused then too."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from broadsheet.errors import SchemeNotAllowed
from broadsheet.ingest.guard import check_scheme, is_public_address
from broadsheet.store.search import parse_query
from broadsheet.web import guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _
from broadsheet.web.pages import _db_id

router = APIRouter()
MAX_URL = 2048
MAX_QUERY = 300


def webhooks_of(request: Request) -> list[dict[str, Any]]:
    reader = guard.current_reader(request)
    if reader is None:
        return []
    return request.app.state.store.webhooks_of(reader.id)  # type: ignore[no-any-return]


def url_problem(url: str, allow_private: bool) -> str:
    """What is wrong with a webhook's address, or ""."""
    if not url or len(url) > MAX_URL or not url.isprintable() or " " in url:
        return N_("Give the full address (https://…) the stories should be sent to.")
    try:
        check_scheme(url)
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except (SchemeNotAllowed, ValueError):
        return N_("Only http:// and https:// addresses can receive webhooks.")
    if not host:
        return N_("Give the full address (https://…) the stories should be sent to.")
    if allow_private:
        return ""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return N_("That host name does not resolve.")
        addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(is_public_address(a) for a in addresses):
        return N_("That address is on a private network: webhooks only go to public addresses.")
    return ""


def _account(request: Request, status: int, **extra: Any) -> Response:
    reader = guard.current_reader(request)
    context = {"error": "", "notice": "", "webhook_error": "", "new_webhook": None, **extra}
    return page(request, "auth_account.html", status, user=reader, **context)


@router.post("/account/webhooks")
def create(request: Request, sent: PostedForm) -> Response:
    user = sent.reader
    if user is None:
        return sign_in_first(request)
    state = request.app.state
    state.limits.hit("post_reader", f"user:{user.id}")
    url, kind, query = (
        sent.get("url").strip(),
        sent.get("kind"),
        " ".join(sent.get("query").split()),
    )
    problem = ""
    if kind not in ("follows", "search"):
        problem = _("Choose what the webhook announces: your follows or a search.")
    elif kind == "search" and (not query or parse_query(query).empty):
        problem = _("Give the words to search for.")
    elif len(query) > MAX_QUERY:
        problem = _("Keep the search to %(count)s characters.") % {"count": MAX_QUERY}
    if not problem:
        found = url_problem(url, state.settings.allow_private_networks)
        problem = _(found) if found else ""  # gettext("") would be the catalog's header
    if not problem and len(state.store.webhooks_of(user.id)) >= state.settings.webhooks_max:
        problem = _("You have %(count)s webhooks already: delete one first.") % {
            "count": state.settings.webhooks_max
        }
    if problem:
        return _account(request, 400, webhook_error=problem)
    secret = "whsec_" + secrets.token_urlsafe(24)
    state.store.create_webhook(
        user.id, url, secret, kind, query if kind == "search" else None, state.clock()
    )
    response = _account(request, 200, new_webhook={"url": url, "secret": secret})
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/account/webhooks/{webhook_id}/delete")
def remove(request: Request, webhook_id: str, sent: PostedForm) -> Response:
    user = sent.reader
    if user is None:
        return sign_in_first(request)
    if not request.app.state.store.delete_webhook(user.id, _db_id(webhook_id)):
        raise HTTPException(status_code=404)
    return RedirectResponse("/account#webhooks", status_code=303)

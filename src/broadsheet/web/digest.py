"""The Daily 8 by mail, in the browser: a reader opts in or out on the account page (with
the edition the mail is for), and every mail's unsubscribe link works without signing in
(its token is the reader's id signed with the site's key; digest_mail.py sends)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet import daily8, digest_mail
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _

router = APIRouter()

UNSUBSCRIBED = N_("You will get no more Daily 8 mails. You can turn them on again on your account.")
LINK_BROKEN = N_(
    "This unsubscribe link is not valid. Sign in to change your mails on your account."
)


def digest_editions(request: Request) -> list[tuple[str, str]]:
    """The editions a reader may take the mail for: (code, label), the world's first."""
    from broadsheet.web import editions

    offered = editions.available(request)
    return [(daily8.WORLD, _("World"))] + [(code, e.label()) for code, e in offered.items()]


@router.post("/account/digest")
def set_digest(request: Request, sent: PostedForm) -> Response:
    reader = sent.reader
    if reader is None:
        return sign_in_first(request)
    wanted = sent.get("digest") == "on"
    code = sent.get("edition") or daily8.WORLD
    if code not in dict(digest_editions(request)):
        raise HTTPException(status_code=400)
    # "world" is kept as the reader's choice, like /editions/world/choose
    request.app.state.store.update_user(reader.id, digest=wanted, edition=code)
    done = "digest-on" if wanted else "digest-off"
    return RedirectResponse(f"/account?done={done}", status_code=303)


def _reader_of(request: Request, token: str) -> int | None:
    state = request.app.state
    user_id = digest_mail.unsubscribe_user(
        digest_mail.site_secret(state.settings, state.store), token
    )
    if user_id is None or state.store.get_user(user_id) is None:
        return None
    return user_id


@router.get("/digest/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> Response:
    """A confirmation page (a GET changes nothing: mail scanners open links)."""
    if _reader_of(request, token) is None:
        return _page(request, 400, token="", notice="", error=_(LINK_BROKEN))
    return _page(request, 200, token=token, notice="", error="")


@router.post("/digest/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str) -> Response:
    """The button on that page, and the mail program's one-click POST (RFC 8058): the
    signed token is the authority, so no session and no CSRF token are needed."""
    user_id = _reader_of(request, token)
    if user_id is None:
        return _page(request, 400, token="", notice="", error=_(LINK_BROKEN))
    request.app.state.store.update_user(user_id, digest=False)
    return _page(request, 200, token="", notice=_(UNSUBSCRIBED), error="")


def _page(request: Request, status: int, **context: str) -> Response:
    response = page(request, "digest_unsubscribe.html", status, **context)
    response.headers["referrer-policy"] = "no-referrer"  # the token is in the address
    return response

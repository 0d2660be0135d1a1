"""Sending mail (reset links, address checks, the Daily 8 digest) to the operator's SMTP
server: the one module that speaks SMTP. One recipient, plain text with an optional HTML
alternative, STARTTLS and login when configured."""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from broadsheet.config import Settings
from broadsheet.errors import MailError

SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
# Refusals that prove the message was not taken: nothing reached the reader.
_REFUSED = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
)


def send(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Hand one message to the SMTP server. ``MailError.maybe_sent`` is False when the
    failure proves the server did not take it (not reached, or a refusal), True when it
    may have (the connection broke while the message was being handed over)."""
    if not settings.smtp_host:
        raise MailError("no SMTP server is configured (BROADSHEET_SMTP_HOST)", maybe_sent=False)
    # Lines up to RFC 5322's 998: a long List-Unsubscribe URL stays one plain header
    # instead of an RFC 2047 encoded word that mail programs do not read as a URL.
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    handing_over = False
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            handing_over = True
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        maybe = handing_over and not isinstance(exc, _REFUSED)
        # The message names the server and the failure, never the body (it holds a link).
        raise MailError(
            f"mail to the SMTP server {settings.smtp_host}:{settings.smtp_port} failed: "
            f"{exc.__class__.__name__}",
            maybe_sent=maybe,
        ) from exc

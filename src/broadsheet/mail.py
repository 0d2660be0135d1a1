"""Sending mail (reset links) to the operator's SMTP server: the one module that speaks
SMTP. Plain text, one recipient, STARTTLS and login when configured."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from broadsheet.config import Settings
from broadsheet.errors import MailError


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    if not settings.smtp_host:
        raise MailError("no SMTP server is configured (BROADSHEET_SMTP_HOST)")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    msg.set_content(body)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # The message names the server and the failure, never the body (it holds a link).
        raise MailError(
            f"mail to the SMTP server {settings.smtp_host}:{settings.smtp_port} failed: "
            f"{exc.__class__.__name__}"
        ) from exc

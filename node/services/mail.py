"""Outgoing mail: SMTP in production, a file per message in local runs.

In ``file`` mode each message is written to ``instance/mail/`` and only its recipient count
and subject reach the log, never its body (which may hold a one-time link).
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger("chaleur.mail")


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def send_mail(to: str, subject: str, body: str, *, reply_to: str | None = None,
              html: str | None = None, headers: dict[str, str] | None = None) -> None:
    """Send one message (UTF-8) through the configured backend, now."""
    deliver(compose(to, subject, body, reply_to=reply_to, html=html, headers=headers))


def compose(to: str, subject: str, body: str, *, reply_to: str | None = None,
            html: str | None = None, headers: dict[str, str] | None = None) -> EmailMessage:
    """One message from this node, ready for :func:`deliver`: plain text, with an HTML
    alternative when given (round-ups), and extra headers (``List-Unsubscribe``)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="chaleur.local")
    if reply_to:
        message["Reply-To"] = reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand ``message`` to the configured backend; :class:`MailNotSent` if SMTP fails."""
    config = current_app.config
    subject = message["Subject"]
    if config["MAIL_BACKEND"] == "file":
        _write_to_folder(message)
        return
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail not sent subject=%r error=%s", subject, type(error).__name__)
        raise MailNotSent(str(error)) from error
    log.info("mail sent subject=%r", subject)


def _write_to_folder(message: EmailMessage) -> None:
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{time.time_ns()}.eml"
    path.write_bytes(bytes(message))
    log.info("mail written subject=%r file=%s", message["Subject"], path.name)


@dataclass(frozen=True)
class WrittenLink:
    """A one-time link from a mail the ``file`` backend wrote, for the admin to pass on."""

    to: str
    subject: str
    link: str
    written_at: datetime


def links_written(prefixes: tuple[str, ...], limit: int = 10,
                  scanned: int = 100) -> list[WrittenLink]:
    """The newest links starting with one of ``prefixes`` in ``instance/mail/``.

    Without a mail server (the ``file`` backend) an invitation or a reset link reaches nobody
    by itself; the admin page shows them so the admin can copy and send them by hand. Only
    the newest ``scanned`` files are read, so a full folder costs the same.
    """
    folder = Path(current_app.instance_path) / "mail"
    if not folder.is_dir():
        return []
    found: list[WrittenLink] = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:scanned]:
        message = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
        part = message.get_body(("plain",))
        text = part.get_content() if part is not None else ""
        links = [word for word in text.split() if word.startswith(prefixes)]
        if not links:
            continue
        stamp = int(path.stem) / 1e9 if path.stem.isdigit() else path.stat().st_mtime
        found.append(WrittenLink(str(message["To"]), str(message["Subject"]), links[0],
                                 datetime.fromtimestamp(stamp, UTC)))
        if len(found) >= limit:
            break
    return found

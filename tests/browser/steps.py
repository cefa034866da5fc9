"""What a person does in the browser, in words the flows read well with.

Every step goes through the pages (labels, buttons, links) as someone would; nothing here writes
to the database. Mail is read from the live node's SMTP mailbox.
"""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

from tests.support.smtp import Mailbox


def sign_in(page: Any, email: str, password: str) -> None:
    """Fill the sign-in form and check the greeting that proves the session started."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    flash = page.locator(".flashes").inner_text()
    assert "vous êtes connecté·e" in flash, f"sign-in of {email} failed: {flash!r}"


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="Connexion").count() == 1


def flash_text(page: Any) -> str:
    """The messages shown after the last action ('' when there are none)."""
    flashes = page.locator(".flashes")
    return str(flashes.inner_text()) if flashes.count() else ""


def wait_for_mail(mailbox: Mailbox, to: str, subject_part: str,
                  timeout: float = 10.0) -> EmailMessage:
    """The first message to ``to`` whose subject holds ``subject_part``, once it arrives."""
    deadline = time.monotonic() + timeout
    while True:
        for message in list(mailbox.messages):
            if to.lower() in str(message["To"]).lower() and subject_part in str(
                    message["Subject"]):
                return message
        if time.monotonic() > deadline:
            seen = [(str(m["To"]), str(m["Subject"])) for m in mailbox.messages]
            raise AssertionError(f"no mail to {to} about {subject_part!r}; received: {seen}")
        time.sleep(0.05)


def mail_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text body"
    return str(part.get_content())


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"))

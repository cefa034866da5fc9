"""Helpers for the account tests: links out of mails, a closed SMTP port, extra accounts."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from flask import Flask

from node.extensions import db
from node.models import AccountStatus, Role
from node.services import accounts
from tests.conftest import PASSWORD
from tests.support.smtp import free_port

LINK = re.compile(r"https?://\S+")


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, path_prefix: str) -> str:
    """The first link of the mail whose path starts with ``path_prefix``, as a local path."""
    for url in LINK.findall(body_of(message)):
        assert url.startswith("http://node.test/"), url
        path = url.removeprefix("http://node.test")
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no link to {path_prefix} in the mail")


def node_log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the node logged (the test SMTP server's own debug log stands for the outside
    world's mail server, so it is left out)."""
    return "\n".join(record.getMessage() for record in caplog.records
                     if not record.name.startswith("mail.log"))


def break_smtp(app: Flask) -> None:
    """Send through a port nobody listens on, so every mail fails."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())


def add_account(app: Flask, email: str, role: Role = Role.MEMBER,
                status: AccountStatus = AccountStatus.ACTIVE, name: str = "Dominique Essai") -> int:
    with app.app_context():
        account = accounts.create_account(email, name, PASSWORD, role=role, status=status)
        db.session.commit()
        return int(account.id)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)

"""Forgotten password: same answer for every address, links that expire and work once."""

from __future__ import annotations

import logging
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from node.extensions import db
from node.models import AccountStatus
from node.services import accounts
from tests.conftest import MEMBER_EMAIL, PASSWORD, AuthActions
from tests.node.auth.support import add_account, break_smtp, link_in, node_log_text
from tests.support.smtp import Mailbox, smtp_server

NEW_PASSWORD = "a-brand-new-password"
#: How long the slow test server holds each mail: an answer that waited for the mail would take
#: at least this long; a reset answer takes some 30 ms here.
SMTP_HOLD_SECONDS = 5.0


def _ask_link(client: FlaskClient, mailbox: Mailbox, email: str = MEMBER_EMAIL) -> str:
    response = client.post("/mot-de-passe/oubli", data={"email": email})
    assert response.status_code == 200
    message = mailbox.wait_for(1)[-1]
    assert email in str(message["To"])
    return link_in(message, "/mot-de-passe/")


def _signed_in(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_same_answer_for_known_and_unknown_addresses(client: FlaskClient,
                                                     mailbox: Mailbox) -> None:
    known = client.post("/mot-de-passe/oubli", data={"email": MEMBER_EMAIL})
    unknown = client.post("/mot-de-passe/oubli", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert "Si un compte existe" in known.get_data(as_text=True)
    mailbox.wait_for(2, timeout=1)
    assert len(mailbox.messages) == 1
    assert mailbox.to(MEMBER_EMAIL)


def test_link_sets_a_new_password(app: Flask, auth: AuthActions, client: FlaskClient,
                                  mailbox: Mailbox) -> None:
    link = _ask_link(client, mailbox)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/connexion"
    assert auth.login(password=PASSWORD).status_code == 200
    assert not _signed_in(client)
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert _signed_in(client)


def test_link_works_once(client: FlaskClient, mailbox: Mailbox) -> None:
    link = _ask_link(client, mailbox)
    client.post(link, data={"password": NEW_PASSWORD})
    again = client.post(link, data={"password": "attacker-password"})
    assert again.status_code == 410
    assert "Lien expiré ou déjà utilisé" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410


def test_link_expires(app: Flask, client: FlaskClient, mailbox: Mailbox,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    link = _ask_link(client, mailbox)
    hours = app.config["PASSWORD_RESET_HOURS"]
    later = int(time.time()) + hours * 3600 + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get(link).status_code == 410


def test_forged_or_tampered_token_is_refused(client: FlaskClient, mailbox: Mailbox) -> None:
    link = _ask_link(client, mailbox)
    assert client.get(link[:-3] + "abc").status_code == 410
    assert client.get("/mot-de-passe/eyJhIjoxfQ.forged.sig").status_code == 410


def test_short_password_keeps_the_old_one(app: Flask, client: FlaskClient,
                                          mailbox: Mailbox) -> None:
    link = _ask_link(client, mailbox)
    response = client.post(link, data={"password": "short"})
    assert response.status_code == 200
    assert 'id="password-error"' in response.get_data(as_text=True)
    with app.app_context():
        account = accounts.find_account(MEMBER_EMAIL)
        assert account is not None and accounts.password_matches(account, PASSWORD)


def test_disabled_account_gets_no_link(app: Flask, client: FlaskClient,
                                       mailbox: Mailbox) -> None:
    add_account(app, "gone@example.org", status=AccountStatus.DISABLED)
    response = client.post("/mot-de-passe/oubli", data={"email": "gone@example.org"})
    assert response.status_code == 200
    time.sleep(0.2)
    assert not mailbox.messages


def test_link_dies_when_the_account_is_disabled(app: Flask, client: FlaskClient,
                                                mailbox: Mailbox) -> None:
    link = _ask_link(client, mailbox)
    with app.app_context():
        accounts.find_account(MEMBER_EMAIL).status = AccountStatus.DISABLED.value  # type: ignore[union-attr]
        db.session.commit()
    assert client.get(link).status_code == 410


def test_token_never_reaches_the_log(client: FlaskClient, mailbox: Mailbox,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    link = _ask_link(client, mailbox)
    token = link.removeprefix("/mot-de-passe/")
    client.get(link)
    client.post(link, data={"password": NEW_PASSWORD})
    node_log = node_log_text(caplog)
    assert "/mot-de-passe/" in node_log
    assert token not in node_log


def test_mail_failure_gives_the_same_answer(app: Flask, client: FlaskClient) -> None:
    break_smtp(app)
    known = client.post("/mot-de-passe/oubli", data={"email": MEMBER_EMAIL})
    unknown = client.post("/mot-de-passe/oubli", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()


def test_answer_does_not_wait_for_a_slow_mail_server(app: Flask, client: FlaskClient) -> None:
    """No timing hint: the link leaves after the answer, so a slow SMTP server slows nothing."""
    with smtp_server(delay=SMTP_HOLD_SECONDS) as (slow, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        seconds = {}
        for email in (MEMBER_EMAIL, "nobody@example.org"):
            started = time.monotonic()
            assert client.post("/mot-de-passe/oubli", data={"email": email}).status_code == 200
            seconds[email] = time.monotonic() - started
        assert not slow.messages  # both answers came while the server still held the mail
        assert max(seconds.values()) < SMTP_HOLD_SECONDS / 2, seconds
        slow.release()
        assert link_in(slow.wait_for(1)[0], "/mot-de-passe/")
        assert [str(m["To"]) for m in slow.messages] == [MEMBER_EMAIL]

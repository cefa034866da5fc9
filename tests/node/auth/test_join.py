"""Asking to join: request mode, invitation mode, duplicates and mail failures."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Account, AccountStatus, Community, SignupMode
from node.services import accounts
from node.services.mail_queue import mail_queue_of
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, AuthActions
from tests.node.auth.support import body_of, break_smtp, link_in
from tests.support.smtp import Mailbox, smtp_server

#: How long the slow test server holds each mail (a join answer takes some 50 ms here).
SMTP_HOLD_SECONDS = 5.0
REQUEST = {
    "display_name": "Sam Menuisier", "email": "sam@example.org", "password": "a-long-password",
    "trade": "Menuisier", "commune": "Sparsbach", "message": "Je cherche un atelier partagé.",
}


def _account_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count(Account.id))) or 0)


def _set_mode(app: Flask, mode: SignupMode, **contact: str) -> None:
    with app.app_context():
        community = db.session.scalars(db.select(Community)).one()
        community.signup_mode = mode.value
        for name, value in contact.items():
            setattr(community, name, value)
        db.session.commit()


def test_request_creates_a_pending_account_and_tells_staff(
        app: Flask, client: FlaskClient, mailbox: Mailbox) -> None:
    response = client.post("/adhesion", data=REQUEST)
    assert response.status_code == 302
    assert response.location == "/adhesion/envoyee"
    assert "Demande envoyée" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        account = accounts.find_account("sam@example.org")
        assert account is not None
        assert account.status == AccountStatus.PENDING
        assert account.join_message == REQUEST["message"]
        assert account.member.trade == "Menuisier"
        assert account.member.commune_code == "67475"
        assert account.password_hash and PASSWORD not in account.password_hash
    staff_mail = mailbox.wait_for(1)[0]
    assert ADMIN_EMAIL in str(staff_mail["To"])
    assert "Sam Menuisier" in body_of(staff_mail)
    assert link_in(staff_mail, "/admin/membres") == "/admin/membres"
    assert not mailbox.to(MEMBER_EMAIL)  # members are not staff


def test_pending_request_cannot_sign_in(client: FlaskClient, auth: AuthActions) -> None:
    client.post("/adhesion", data=REQUEST)
    response = auth.login("sam@example.org", REQUEST["password"])
    assert response.status_code == 200
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_duplicate_address_gets_the_same_answer_and_a_mail(
        app: Flask, client: FlaskClient, mailbox: Mailbox) -> None:
    before = _account_count(app)
    fresh = client.post("/adhesion", data={**REQUEST, "email": "new@example.org"})
    duplicate = client.post("/adhesion", data={**REQUEST, "email": MEMBER_EMAIL})
    assert fresh.status_code == duplicate.status_code == 302
    assert fresh.location == duplicate.location
    assert _account_count(app) == before + 1
    mailbox.wait_for(2)
    notice = mailbox.to(MEMBER_EMAIL)
    assert len(notice) == 1
    assert "déjà un compte" in body_of(notice[0])
    assert link_in(notice[0], "/mot-de-passe/oubli")
    with app.app_context():
        assert accounts.find_account(MEMBER_EMAIL).status == AccountStatus.ACTIVE  # type: ignore[union-attr]


def test_errors_show_beside_the_fields_and_nothing_is_written(
        app: Flask, client: FlaskClient) -> None:
    before = _account_count(app)
    response = client.post("/adhesion", data={**REQUEST, "password": "short",
                                              "email": "not-an-address",
                                              "commune": "Atlantide-sur-Mer"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and "10 caractères" in html
    assert 'id="email-error"' in html
    assert _account_count(app) == before


def test_unknown_commune_is_reported_beside_its_field(client: FlaskClient) -> None:
    html = client.post("/adhesion", data={**REQUEST, "commune": "Atlantide-sur-Mer"}) \
        .get_data(as_text=True)
    assert 'id="commune-error"' in html and "Commune introuvable" in html


def test_commune_may_be_given_by_insee_code(app: Flask, client: FlaskClient) -> None:
    client.post("/adhesion", data={**REQUEST, "commune": "67527"})
    with app.app_context():
        assert accounts.find_account("sam@example.org").member.commune_code == "67527"  # type: ignore[union-attr]


def test_mail_failure_keeps_the_request_and_is_logged(
        app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    """The staff notice leaves after the answer, so its failure is logged, not shown (staff
    see requests in their space anyway)."""
    break_smtp(app)
    response = client.post("/adhesion", data=REQUEST, follow_redirects=True)
    assert response.status_code == 200
    assert "Demande envoyée" in response.get_data(as_text=True)
    assert mail_queue_of(app).flush(30)
    assert "mail not sent subject=" in caplog.text
    with app.app_context():
        assert accounts.find_account("sam@example.org") is not None


@pytest.mark.parametrize(("email", "told"), [("sam@example.org", ADMIN_EMAIL),
                                             (MEMBER_EMAIL, MEMBER_EMAIL)])
def test_answer_does_not_wait_for_a_slow_mail_server(
        app: Flask, client: FlaskClient, email: str, told: str) -> None:
    """New address (staff are told) or a member's (they are told): the answer never waits for
    the mail, so its timing does not tell which it was."""
    with smtp_server(delay=SMTP_HOLD_SECONDS) as (slow, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        started = time.monotonic()
        response = client.post("/adhesion", data={**REQUEST, "email": email})
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert not slow.messages
        assert elapsed < SMTP_HOLD_SECONDS / 2
        slow.release()
        assert [str(m["To"]) for m in slow.wait_for(1)] == [told]


def test_invitation_mode_explains_and_shows_the_contact(app: Flask,
                                                        client: FlaskClient) -> None:
    _set_mode(app, SignupMode.INVITATION, contact_email="contact@sparsbach.example",
              contact_name="Léa Exemple")
    before = _account_count(app)
    page = client.get("/adhesion").get_data(as_text=True)
    assert "sur invitation" in page
    assert "contact@sparsbach.example" in page and "Léa Exemple" in page
    assert 'name="password"' not in page
    response = client.post("/adhesion", data=REQUEST)
    assert response.status_code == 200
    assert _account_count(app) == before


def test_request_mode_shows_the_form(client: FlaskClient) -> None:
    page = client.get("/adhesion").get_data(as_text=True)
    for name in ("display_name", "email", "password", "trade", "commune", "message"):
        assert f'name="{name}"' in page

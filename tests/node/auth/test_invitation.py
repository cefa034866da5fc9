"""Invitation links: from the admin's form to the invitee's new account."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AccountStatus, Invitation, Role, utcnow
from node.services import accounts
from tests.conftest import PASSWORD, AuthActions
from tests.node.auth.support import link_in, node_log_text
from tests.support.smtp import Mailbox

INVITEE = "noa@example.org"


def _invite(client: FlaskClient, mailbox: Mailbox, role: str = "member") -> str:
    response = client.post("/admin/invitations", data={"email": INVITEE, "role": role})
    assert response.status_code == 302
    message = mailbox.wait_for(1)[-1]
    assert INVITEE in str(message["To"])
    return link_in(message, "/invitation/")


def _accept(client: FlaskClient, link: str, name: str = "Noa Potière") -> object:
    return client.post(link, data={"display_name": name, "password": "a-long-password"})


def test_invited_person_becomes_an_active_member(
        app: Flask, auth: AuthActions, client: FlaskClient, mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert INVITEE in page.get_data(as_text=True)
    response = client.post(link, data={"display_name": "Noa Potière",
                                       "password": "a-long-password"})
    assert response.status_code == 302
    assert response.location == "/mon-profil"
    with client.session_transaction() as session:
        assert session.get("_user_id", "None") != "None"
    profile = client.get("/mon-profil")  # signed in: no « Connectez-vous » after « Bienvenue »
    assert profile.status_code == 200
    text = profile.get_data(as_text=True)
    assert "Bienvenue, Noa Potière" in text and "Connectez-vous pour accéder" not in text
    with app.app_context():
        account = accounts.find_account(INVITEE)
        assert account is not None
        assert account.status == AccountStatus.ACTIVE and account.role == Role.MEMBER
        assert account.member.display_name == "Noa Potière"
        assert account.last_login_at is not None


def test_invitation_role_is_given(app: Flask, auth: AuthActions, client: FlaskClient,
                                  mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox, role="animator")
    auth.logout()
    _accept(client, link)
    with app.app_context():
        assert accounts.find_account(INVITEE).role == Role.ANIMATOR  # type: ignore[union-attr]


def test_link_works_once(auth: AuthActions, client: FlaskClient, mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    auth.logout()
    _accept(client, link)
    auth.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "déjà utilisée" in again.get_data(as_text=True)
    assert client.post(link, data={"display_name": "Intrus",
                                   "password": "another-password"}).status_code == 410


def test_expired_link_is_gone(app: Flask, auth: AuthActions, client: FlaskClient,
                              mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "expirée" in response.get_data(as_text=True)


def test_unknown_token_is_a_french_404(client: FlaskClient) -> None:
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 404
    assert "Invitation introuvable" in response.get_data(as_text=True)


def test_revoked_link_no_longer_works(app: Flask, auth: AuthActions, client: FlaskClient,
                                      mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    with app.app_context():
        invitation_id = db.session.scalars(db.select(Invitation.id)).one()
    assert client.post(f"/admin/invitations/{invitation_id}/retirer").status_code == 302
    assert client.get(link).status_code == 404


def test_reinviting_replaces_the_old_link(auth: AuthActions, client: FlaskClient,
                                          mailbox: Mailbox) -> None:
    auth.login_admin()
    first = _invite(client, mailbox)
    client.post("/admin/invitations", data={"email": INVITEE, "role": "member"})
    second = link_in(mailbox.wait_for(2)[-1], "/invitation/")
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_token_is_stored_only_as_its_hash_and_never_logged(
        app: Flask, auth: AuthActions, client: FlaskClient, mailbox: Mailbox,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    auth.login_admin()
    link = _invite(client, mailbox)
    token = link.removeprefix("/invitation/")
    assert len(token) >= 40
    client.get(link)
    _accept(client, link)
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).one()
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        columns = [str(getattr(invitation, c.key)) for c in Invitation.__table__.columns]
        assert not any(token in value for value in columns)
    node_log = node_log_text(caplog)
    assert "/invitation/" in node_log  # the requests were logged...
    assert token not in node_log  # ...without their token


def test_short_password_is_refused_and_link_stays_usable(
        app: Flask, auth: AuthActions, client: FlaskClient, mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    auth.logout()
    response = client.post(link, data={"display_name": "Noa", "password": "short"})
    assert response.status_code == 200
    assert 'id="password-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.find_account(INVITEE) is None
    assert client.get(link).status_code == 200


def test_existing_account_cannot_take_the_invitation(
        app: Flask, auth: AuthActions, client: FlaskClient, mailbox: Mailbox) -> None:
    auth.login_admin()
    link = _invite(client, mailbox)
    auth.logout()
    with app.app_context():
        accounts.create_account(INVITEE, "Déjà Là", PASSWORD)
        db.session.commit()
    response = client.post(link, data={"display_name": "Noa", "password": "a-long-password"})
    assert response.status_code == 302 and response.location == "/connexion"
    with app.app_context():
        assert accounts.find_account(INVITEE).member.display_name == "Déjà Là"  # type: ignore[union-attr]

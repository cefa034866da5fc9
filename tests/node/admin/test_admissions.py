"""The staff's members page: admissions, invitations, roles and account status."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AccountStatus, Invitation, Role
from node.services import accounts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, AuthActions
from tests.node.auth.support import add_account, body_of, break_smtp, link_in
from tests.support.smtp import Mailbox

ANIMATOR_EMAIL = "anim@example.org"


def _id_of(app: Flask, email: str) -> int:
    with app.app_context():
        account = accounts.find_account(email)
        assert account is not None
        return int(account.id)


def _status_of(app: Flask, email: str) -> str:
    with app.app_context():
        return accounts.find_account(email).status  # type: ignore[union-attr]


def _role_of(app: Flask, email: str) -> str:
    with app.app_context():
        return accounts.find_account(email).role  # type: ignore[union-attr]


def _request_to_join(client: FlaskClient, email: str = "sam@example.org",
                     name: str = "Sam Zèbre") -> None:
    response = client.post("/adhesion", data={"display_name": name, "email": email,
                                              "password": "a-long-password",
                                              "message": "Bonjour l'équipe !"})
    assert response.status_code == 302


@pytest.fixture
def as_animator(app: Flask, auth: AuthActions) -> AuthActions:
    add_account(app, ANIMATOR_EMAIL, role=Role.ANIMATOR, name="Andréa Animatrice")
    assert auth.login(ANIMATOR_EMAIL, PASSWORD).status_code == 302
    return auth


class TestAccess:
    ENDPOINTS = [("get", "/admin/membres"), ("post", "/admin/membres/1/admettre"),
                 ("post", "/admin/membres/1/refuser"), ("post", "/admin/invitations"),
                 ("post", "/admin/invitations/1/retirer"), ("post", "/admin/membres/1/role"),
                 ("post", "/admin/membres/1/statut")]

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_anonymous_is_sent_to_login(self, client: FlaskClient, method: str,
                                        path: str) -> None:
        response = getattr(client, method)(path)
        assert response.status_code == 302
        assert response.location.startswith("/connexion?next=")

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_member_is_refused(self, auth: AuthActions, client: FlaskClient, method: str,
                               path: str) -> None:
        auth.login()
        assert getattr(client, method)(path).status_code == 403

    def test_animator_cannot_change_roles(self, app: Flask, as_animator: AuthActions,
                                          client: FlaskClient) -> None:
        member_id = _id_of(app, MEMBER_EMAIL)
        response = client.post(f"/admin/membres/{member_id}/role", data={"role": "admin"})
        assert response.status_code == 403
        assert _role_of(app, MEMBER_EMAIL) == Role.MEMBER


def test_pending_requests_are_listed_first(app: Flask, auth: AuthActions,
                                           client: FlaskClient) -> None:
    _request_to_join(client, name="Zoé Zébulon")
    auth.login_admin()
    html = client.get("/admin/membres").get_data(as_text=True)
    assert re.search(r"1 demande d(&#39;|')adhésion attend votre réponse", html)
    table = html.split('id="accounts-title"')[1]
    assert table.index("Zoé Zébulon") < table.index("Alix Admin") < table.index("Camille")
    assert "Bonjour l&#39;équipe !" in html
    assert MEMBER_EMAIL in html


def test_approving_activates_and_mails_the_person(app: Flask, auth: AuthActions,
                                                  client: FlaskClient,
                                                  mailbox: Mailbox) -> None:
    _request_to_join(client)
    mailbox.wait_for(1)
    auth.login_admin()
    sam = _id_of(app, "sam@example.org")
    response = client.post(f"/admin/membres/{sam}/admettre", follow_redirects=True)
    assert response.status_code == 200
    assert "Sam Zèbre est maintenant membre" in response.get_data(as_text=True)
    assert _status_of(app, "sam@example.org") == AccountStatus.ACTIVE
    notice = mailbox.wait_for(2) and mailbox.to("sam@example.org")
    assert notice and "acceptée" in body_of(notice[0])
    assert link_in(notice[0], "/connexion")
    auth.logout()
    assert auth.login("sam@example.org", "a-long-password").status_code == 302


def test_refusing_keeps_the_account_refused_and_mails(app: Flask, auth: AuthActions,
                                                      client: FlaskClient,
                                                      mailbox: Mailbox) -> None:
    _request_to_join(client)
    auth.login_admin()
    sam = _id_of(app, "sam@example.org")
    assert client.post(f"/admin/membres/{sam}/refuser").status_code == 302
    assert _status_of(app, "sam@example.org") == AccountStatus.REFUSED
    mailbox.wait_for(2)
    notice = mailbox.to("sam@example.org")
    assert notice and "n'a pas été" in body_of(notice[0])
    # refusing twice is refused, nothing changes
    response = client.post(f"/admin/membres/{sam}/refuser", follow_redirects=True)
    assert "pas une demande d&#39;adhésion en attente" in response.get_data(as_text=True)


def test_approving_an_active_member_is_refused(app: Flask, auth: AuthActions,
                                               client: FlaskClient) -> None:
    auth.login_admin()
    member_id = _id_of(app, MEMBER_EMAIL)
    response = client.post(f"/admin/membres/{member_id}/admettre", follow_redirects=True)
    assert "pas une demande d&#39;adhésion en attente" in response.get_data(as_text=True)


def test_mail_failure_still_saves_and_warns(app: Flask, auth: AuthActions,
                                            client: FlaskClient) -> None:
    _request_to_join(client)
    auth.login_admin()
    break_smtp(app)
    sam = _id_of(app, "sam@example.org")
    response = client.post(f"/admin/membres/{sam}/admettre", follow_redirects=True)
    assert response.status_code == 200
    assert "n&#39;a pas pu être envoyé" in response.get_data(as_text=True)
    assert _status_of(app, "sam@example.org") == AccountStatus.ACTIVE
    response = client.post("/admin/invitations", data={"email": "x@example.org",
                                                       "role": "member"},
                           follow_redirects=True)
    assert "n&#39;a pas pu être envoyé" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Invitation.email)).all() == ["x@example.org"]


class TestInvite:
    def test_animator_may_invite_members_only(self, app: Flask, as_animator: AuthActions,
                                              client: FlaskClient, mailbox: Mailbox) -> None:
        page = client.get("/admin/membres").get_data(as_text=True)
        assert '<option selected value="member">' in page or 'value="member"' in page
        assert 'value="animator"' not in page.split('id="invite-title"')[1]
        refused = client.post("/admin/invitations", data={"email": "boss@example.org",
                                                          "role": "admin"})
        assert refused.status_code == 400
        with app.app_context():
            assert db.session.scalars(db.select(Invitation)).first() is None
        assert client.post("/admin/invitations", data={"email": "m@example.org",
                                                       "role": "member"}).status_code == 302
        assert mailbox.wait_for(1) and mailbox.to("m@example.org")

    def test_existing_address_and_bad_address_are_reported(self, auth: AuthActions,
                                                           client: FlaskClient) -> None:
        auth.login_admin()
        taken = client.post("/admin/invitations", data={"email": MEMBER_EMAIL,
                                                        "role": "member"})
        assert taken.status_code == 400
        assert "Un compte existe déjà" in taken.get_data(as_text=True)
        bad = client.post("/admin/invitations", data={"email": "nope", "role": "member"})
        assert bad.status_code == 400
        assert 'id="email-error"' in bad.get_data(as_text=True)

    def test_pending_invitations_are_listed(self, auth: AuthActions, client: FlaskClient,
                                            mailbox: Mailbox) -> None:
        auth.login_admin()
        client.post("/admin/invitations", data={"email": "noa@example.org", "role": "animator"})
        section = client.get("/admin/membres").get_data(as_text=True) \
            .split('id="invitations-title"')[1]
        assert "noa@example.org" in section and "Animateur" in section


class TestRoles:
    def test_admin_changes_a_role(self, app: Flask, auth: AuthActions,
                                  client: FlaskClient) -> None:
        auth.login_admin()
        member_id = _id_of(app, MEMBER_EMAIL)
        assert client.post(f"/admin/membres/{member_id}/role",
                           data={"role": "animator"}).status_code == 302
        assert _role_of(app, MEMBER_EMAIL) == Role.ANIMATOR

    def test_unknown_role_is_refused(self, app: Flask, auth: AuthActions,
                                     client: FlaskClient) -> None:
        auth.login_admin()
        member_id = _id_of(app, MEMBER_EMAIL)
        client.post(f"/admin/membres/{member_id}/role", data={"role": "emperor"})
        assert _role_of(app, MEMBER_EMAIL) == Role.MEMBER

    def test_last_admin_cannot_demote_themself(self, app: Flask, auth: AuthActions,
                                               client: FlaskClient) -> None:
        auth.login_admin()
        admin_id = _id_of(app, ADMIN_EMAIL)
        response = client.post(f"/admin/membres/{admin_id}/role", data={"role": "member"},
                               follow_redirects=True)
        assert "dernier administrateur" in response.get_data(as_text=True)
        assert _role_of(app, ADMIN_EMAIL) == Role.ADMIN

    def test_admin_may_step_down_when_another_admin_exists(self, app: Flask,
                                                          auth: AuthActions,
                                                          client: FlaskClient) -> None:
        add_account(app, "second@example.org", role=Role.ADMIN)
        auth.login_admin()
        admin_id = _id_of(app, ADMIN_EMAIL)
        client.post(f"/admin/membres/{admin_id}/role", data={"role": "animator"})
        assert _role_of(app, ADMIN_EMAIL) == Role.ANIMATOR

    def test_disabled_admin_does_not_count(self, app: Flask, auth: AuthActions,
                                           client: FlaskClient) -> None:
        add_account(app, "sleeping@example.org", role=Role.ADMIN,
                    status=AccountStatus.DISABLED)
        auth.login_admin()
        admin_id = _id_of(app, ADMIN_EMAIL)
        client.post(f"/admin/membres/{admin_id}/role", data={"role": "member"})
        assert _role_of(app, ADMIN_EMAIL) == Role.ADMIN


class TestStatus:
    def test_disable_and_re_enable_a_member(self, app: Flask, auth: AuthActions,
                                            client: FlaskClient) -> None:
        auth.login_admin()
        member_id = _id_of(app, MEMBER_EMAIL)
        client.post(f"/admin/membres/{member_id}/statut", data={"status": "disabled"})
        assert _status_of(app, MEMBER_EMAIL) == AccountStatus.DISABLED
        auth.logout()
        assert auth.login().status_code == 200
        auth.login_admin()
        client.post(f"/admin/membres/{member_id}/statut", data={"status": "active"})
        assert _status_of(app, MEMBER_EMAIL) == AccountStatus.ACTIVE
        auth.logout()
        assert auth.login().status_code == 302

    def test_disabling_withdraws_their_answers_in_other_villages(
            self, app: Flask, auth: AuthActions, client: FlaskClient) -> None:
        from datetime import timedelta

        from node.models import AnswerElsewhere, VillageMessage, utcnow

        with app.app_context():
            member = accounts.find_account(MEMBER_EMAIL).member  # type: ignore[union-attr]
            starts = utcnow() + timedelta(days=3)
            db.session.add(AnswerElsewhere(
                member_id=member.id, village="westhouse", village_name="Westhouse",
                answer="42", sequence=1, event_uuid="e", title="Atelier", starts_at=starts,
                ends_at=starts + timedelta(hours=2), url="http://west.test/rencontres/e",
                status="going"))
            db.session.commit()
        auth.login_admin()
        page = client.post(f"/admin/membres/{_id_of(app, MEMBER_EMAIL)}/statut",
                           data={"status": "disabled"}, follow_redirects=True)
        assert "rencontres à venir d&#39;autres villages sont retirées (1)" in \
            page.get_data(as_text=True)
        with app.app_context():
            [message] = db.session.scalars(db.select(VillageMessage)).all()
            assert (message.node_id, message.kind) == ("westhouse", "rsvp_withdrawn")
            assert db.session.scalars(db.select(AnswerElsewhere)).all() == []

    def test_admin_cannot_disable_themself(self, app: Flask, auth: AuthActions,
                                           client: FlaskClient) -> None:
        auth.login_admin()
        admin_id = _id_of(app, ADMIN_EMAIL)
        client.post(f"/admin/membres/{admin_id}/statut", data={"status": "disabled"})
        assert _status_of(app, ADMIN_EMAIL) == AccountStatus.ACTIVE

    def test_animator_cannot_disable_an_admin(self, app: Flask, as_animator: AuthActions,
                                              client: FlaskClient) -> None:
        admin_id = _id_of(app, ADMIN_EMAIL)
        response = client.post(f"/admin/membres/{admin_id}/statut", data={"status": "disabled"})
        assert response.status_code == 403
        assert _status_of(app, ADMIN_EMAIL) == AccountStatus.ACTIVE

    def test_animator_may_disable_a_member(self, app: Flask, as_animator: AuthActions,
                                           client: FlaskClient) -> None:
        member_id = _id_of(app, MEMBER_EMAIL)
        client.post(f"/admin/membres/{member_id}/statut", data={"status": "disabled"})
        assert _status_of(app, MEMBER_EMAIL) == AccountStatus.DISABLED

    def test_pending_request_is_answered_not_disabled(self, app: Flask, auth: AuthActions,
                                                      client: FlaskClient) -> None:
        _request_to_join(client)
        auth.login_admin()
        sam = _id_of(app, "sam@example.org")
        client.post(f"/admin/membres/{sam}/statut", data={"status": "active"})
        assert _status_of(app, "sam@example.org") == AccountStatus.PENDING

    def test_unknown_account_is_404(self, auth: AuthActions, client: FlaskClient) -> None:
        auth.login_admin()
        assert client.post("/admin/membres/9999/statut",
                           data={"status": "disabled"}).status_code == 404
        assert client.post("/admin/membres/9999/admettre").status_code == 404

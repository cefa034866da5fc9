"""The account services on SQLite and PostgreSQL: requests, admission, invitations, roles."""

from __future__ import annotations

import pytest
from flask import Flask

from node.extensions import db
from node.models import AccountStatus, Role
from node.services import accounts, admissions, invitations
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD


def test_request_then_admit(any_db_app: Flask) -> None:
    with any_db_app.test_request_context():
        account = admissions.request_membership(
            "  Sam@Example.org ", "Sam Zèbre", "a-long-password", trade="Menuisier",
            commune_code="67475", message="Bonjour")
        assert account is not None
        db.session.commit()
        assert admissions.pending_requests() == [account]
        assert accounts.authenticate("sam@example.org", "a-long-password") == account
        requested_at = account.member.joined_at
        admissions.admit(account)
        db.session.commit()
        db.session.expire_all()
        stored = accounts.find_account("sam@example.org")
        assert stored is not None and stored.status == AccountStatus.ACTIVE
        assert stored.member.joined_at >= requested_at
        assert admissions.pending_requests() == []


def test_duplicate_request_creates_nothing(any_db_app: Flask) -> None:
    with any_db_app.test_request_context():
        assert admissions.request_membership(MEMBER_EMAIL.upper(), "Autre", "a-long-password") \
            is None
        db.session.commit()
        assert admissions.pending_requests() == []


def test_refuse_only_pending(any_db_app: Flask) -> None:
    with any_db_app.test_request_context():
        account = admissions.request_membership("r@example.org", "R", "a-long-password")
        assert account is not None
        admissions.refuse(account)
        db.session.commit()
        assert account.status == AccountStatus.REFUSED
        with pytest.raises(accounts.AccountError):
            admissions.refuse(account)


def test_invitation_round_trip(any_db_app: Flask) -> None:
    with any_db_app.test_request_context():
        admin = accounts.find_account(ADMIN_EMAIL)
        assert admin is not None
        invitation, token = invitations.create_invitation("noa@example.org", Role.ANIMATOR,
                                                          admin)
        db.session.commit()
        assert token not in invitation.token_hash
        found = invitations.find_invitation(token)
        account = invitations.accept_invitation(found, "Noa", "a-long-password")
        db.session.commit()
        assert account.role == Role.ANIMATOR and account.status == AccountStatus.ACTIVE
        with pytest.raises(invitations.InvitationGone):
            invitations.find_invitation(token)


def test_last_admin_is_kept(any_db_app: Flask) -> None:
    with any_db_app.test_request_context():
        admin = accounts.find_account(ADMIN_EMAIL)
        assert admin is not None
        with pytest.raises(accounts.AccountError):
            accounts.change_role(admin, Role.MEMBER)
        with pytest.raises(accounts.AccountError):
            accounts.set_status(admin, AccountStatus.DISABLED)
        second = accounts.create_account("second@example.org", "Deux", PASSWORD,
                                         role=Role.ADMIN)
        db.session.commit()
        accounts.change_role(admin, Role.MEMBER)
        db.session.commit()
        assert accounts.active_admin_count() == 1 and second.is_admin

"""Invitation links: a staff member invites an address, the invitee sets a password.

The link carries a random token; only its SHA-256 is stored, so a copy of the database (or a
backup) cannot be used to join. A link works once, until it expires or is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from node.extensions import db
from node.models import Account, AccountStatus, Invitation, Role, utcnow
from node.services.accounts import (
    AccountError,
    create_account,
    find_account,
    normalise_email,
)


class InvitationUnknown(LookupError):
    """No invitation has this token (never issued, or revoked)."""


class InvitationGone(LookupError):
    """The invitation existed but was already used or has expired."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(email: str, role: Role, invited_by: Account) -> tuple[Invitation, str]:
    """Invite ``email``; returns the invitation and its token (to mail, never to store).

    Only admins may invite staff. An earlier pending invitation to the same address is
    replaced, so only the newest link works.
    """
    email = normalise_email(email)
    if role != Role.MEMBER and not invited_by.is_admin:
        raise AccountError(_("Seul un administrateur peut inviter un animateur ou un "
                             "administrateur."), field="role")
    if find_account(email) is not None:
        raise AccountError(_("Un compte existe déjà avec cette adresse."), field="email")
    for old in pending_invitations():
        if old.email == email:
            db.session.delete(old)
    token = secrets.token_urlsafe(32)
    days = int(current_app.config["INVITATION_DAYS"])
    invitation = Invitation(email=email, role=role.value, token_hash=token_hash(token),
                            created_by_id=invited_by.id, created_at=utcnow(),
                            expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    return invitation, token


def pending_invitations() -> list[Invitation]:
    """Invitations not yet used and not expired, newest first."""
    return list(db.session.scalars(
        db.select(Invitation).where(Invitation.accepted_at.is_(None),
                                    Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())))


def find_invitation(token: str) -> Invitation:
    """The usable invitation behind ``token``, or InvitationUnknown / InvitationGone."""
    invitation: Invitation | None = db.session.scalars(
        db.select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    if invitation is None:
        raise InvitationUnknown()
    if invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise InvitationGone()
    return invitation


def accept_invitation(invitation: Invitation, display_name: str, password: str) -> Account:
    """Create the invitee's active account with the invited role, and use up the link."""
    account = create_account(invitation.email, display_name, password,
                             role=Role(invitation.role), status=AccountStatus.ACTIVE)
    invitation.accepted_at = utcnow()
    db.session.flush()  # the account's id: signing in right after needs it
    return account


def revoke_invitation(invitation: Invitation) -> None:
    """Withdraw a link: the row goes, so the token is unknown from now on."""
    db.session.delete(invitation)

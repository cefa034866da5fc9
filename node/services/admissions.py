"""Asking to join a community and the staff's answer (admit or refuse).

A join request is a ``pending`` account with its member profile: it cannot sign in, and the
staff see it first on the members page until they admit or refuse it.
"""

from __future__ import annotations

from flask_babel import gettext as _

from node.extensions import db
from node.models import Account, AccountStatus, utcnow
from node.services.accounts import AccountError, create_account, find_account, hash_password

MAX_JOIN_MESSAGE = 1000


def request_membership(email: str, display_name: str, password: str, *, trade: str = "",
                       commune_code: str = "", message: str = "") -> Account | None:
    """Record a join request as a pending account (added to the session, not committed).

    Returns None when the address already has an account. The caller must then answer exactly
    as for a new request, so the page never tells a stranger who is a member; the password is
    still hashed so both paths take the same time.
    """
    if find_account(email) is not None:
        hash_password(password)
        return None
    account = create_account(email, display_name, password, status=AccountStatus.PENDING,
                             commune_code=commune_code)
    account.join_message = message.strip()[:MAX_JOIN_MESSAGE]
    account.member.trade = trade.strip()
    return account


def pending_requests() -> list[Account]:
    return list(db.session.scalars(
        db.select(Account).where(Account.status == AccountStatus.PENDING)
        .order_by(Account.created_at)))


def admit(account: Account) -> None:
    """Make a pending (or earlier refused) request an active membership, joining today."""
    if account.status not in (AccountStatus.PENDING, AccountStatus.REFUSED):
        raise AccountError(_("Ce compte n'est pas une demande d'adhésion en attente."))
    account.status = AccountStatus.ACTIVE.value
    account.member.joined_at = utcnow()


def refuse(account: Account) -> None:
    """Refuse a pending request; the account stays, so the same address cannot re-ask silently."""
    if account.status != AccountStatus.PENDING:
        raise AccountError(_("Ce compte n'est pas une demande d'adhésion en attente."))
    account.status = AccountStatus.REFUSED.value

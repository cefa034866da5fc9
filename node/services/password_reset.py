"""Password-reset links that expire and work once.

The signed token names the account and a fingerprint of its current password hash: once the
password changes (by this link or otherwise) the fingerprint no longer matches and every
earlier link dies. Nothing is stored.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from node.extensions import db
from node.models import Account, AccountStatus
from node.services.accounts import find_account, set_password

SALT = "chaleur-password-reset"
RESETTABLE = (AccountStatus.ACTIVE, AccountStatus.PENDING)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(account: Account) -> str:
    return hashlib.sha256((account.password_hash or "").encode()).hexdigest()[:24]


def account_to_reset(email: str) -> Account | None:
    """The account a reset link may be sent to (refused and disabled ones get none)."""
    account = find_account(email)
    return account if account is not None and account.status in RESETTABLE else None


def make_reset_token(account: Account) -> str:
    return str(_serializer().dumps({"a": account.id, "f": _fingerprint(account)}))


def account_for_reset_token(token: str) -> Account | None:
    """The account a still-valid token belongs to; None if forged, expired or already used."""
    max_age = int(current_app.config["PASSWORD_RESET_HOURS"]) * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    account = db.session.get(Account, data["a"])
    if account is None or account.status not in RESETTABLE:
        return None
    return account if data.get("f") == _fingerprint(account) else None


def reset_password(account: Account, password: str) -> None:
    """Set the new password, which also invalidates every earlier reset link."""
    set_password(account, password)

"""Accounts: creation, passwords and roles."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from node.extensions import db
from node.models import Account, AccountStatus, Member, Role

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account operation was refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> Account | None:
    return db.session.scalars(
        db.select(Account).where(Account.email == normalise_email(email))
    ).first()


def set_password(account: Account, password: str) -> None:
    """Store a modern (scrypt) hash of the password; the password itself is never kept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.",
            field="password")
    account.password_hash = generate_password_hash(password)


def password_matches(account: Account, password: str) -> bool:
    return bool(account.password_hash) and check_password_hash(account.password_hash or "",
                                                                password)


def create_account(
    email: str,
    display_name: str,
    password: str | None = None,
    role: Role = Role.MEMBER,
    status: AccountStatus = AccountStatus.ACTIVE,
    commune_code: str = "",
) -> Account:
    """Create an account with its member profile (added to the session, not committed)."""
    email = normalise_email(email)
    if find_account(email) is not None:
        raise AccountError("Un compte existe déjà avec cette adresse.", field="email")
    account = Account(email=email, role=role.value, status=status.value)
    if password is not None:
        set_password(account, password)
    account.member = Member(display_name=display_name.strip(), commune_code=commune_code)
    db.session.add(account)
    return account

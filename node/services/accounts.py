"""Accounts: creation, passwords and roles."""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from node.extensions import db
from node.models import Account, AccountStatus, Member, Role, utcnow

MIN_PASSWORD_LENGTH = 10
ROLE_LABELS = {Role.ADMIN: _l("Administrateur·rice"), Role.ANIMATOR: _l("Animateur·rice"),
               Role.MEMBER: _l("Membre")}
# How people read an account's status (pages, CSV exports): never the stored English value.
STATUS_LABELS = {AccountStatus.PENDING: _l("En attente"), AccountStatus.ACTIVE: _l("Actif"),
                 AccountStatus.REFUSED: _l("Refusé"), AccountStatus.DISABLED: _l("Désactivé")}


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
            _("Le mot de passe doit contenir au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH),
            field="password")
    account.password_hash = hash_password(password)


def hash_password(password: str) -> str:
    """A modern hash of the password (scrypt unless PASSWORD_HASH_METHOD says otherwise)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    # A real hash of a random string: checked when the email is unknown, so an unknown
    # address takes as long to refuse as a wrong password (no account discovery by timing).
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


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
        raise AccountError(_("Un compte existe déjà avec cette adresse."), field="email")
    account = Account(email=email, role=role.value, status=status.value)
    if password is not None:
        set_password(account, password)
    account.member = Member(display_name=display_name.strip(), commune_code=commune_code)
    db.session.add(account)
    return account


def authenticate(email: str, password: str) -> Account | None:
    """The account whose password this is, whatever its status; None otherwise.

    The caller decides what a pending, refused or disabled account may do: a correct password
    is the only thing that may reveal anything about an account.
    """
    account = find_account(email)
    if account is None or not account.password_hash:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return account if check_password_hash(account.password_hash, password) else None


def record_login(account: Account) -> None:
    account.last_login_at = utcnow()


def network_notice(account: Account) -> str | None:
    """What « Réseau » now means, the first time the member signs in since it changed (then
    never again); the caller shows it and commits."""
    if account.network_notice_at is not None:
        return None
    account.network_notice_at = utcnow()
    db.session.flush()
    return str(_("Nouveau : le niveau « Réseau » de votre fiche est désormais réservé aux membres "
             "connectés des villages du réseau du Pays ; les visiteurs anonymes du site du Pays "
             "ne voient plus que ce que vous avez mis en « Public ». Vous pouvez aussi vous "
             "connecter sur le site du Pays et des autres villages avec votre compte d'ici."))


def staff_accounts() -> list[Account]:
    """Active admins and animators: those told about new join requests."""
    return list(db.session.scalars(
        db.select(Account).where(Account.role.in_([Role.ADMIN, Role.ANIMATOR]),
                                 Account.status == AccountStatus.ACTIVE)
        .order_by(Account.id)))


def active_admin_count() -> int:
    return int(db.session.scalar(
        db.select(db.func.count(Account.id)).where(Account.role == Role.ADMIN,
                                                  Account.status == AccountStatus.ACTIVE)) or 0)


def _is_last_admin(account: Account) -> bool:
    return (account.role == Role.ADMIN and account.status == AccountStatus.ACTIVE
            and active_admin_count() <= 1)


def change_role(account: Account, role: Role) -> None:
    """Give ``account`` a new role; the node always keeps at least one active admin."""
    if role != Role.ADMIN and _is_last_admin(account):
        raise AccountError(_("Impossible : c'est le dernier administrateur actif du nœud. "
                             "Nommez d'abord un autre administrateur."), field="role")
    account.role = role.value


def set_status(account: Account, status: AccountStatus) -> int:
    """Disable or re-enable an account; the last active admin cannot be disabled. A member
    disabled here gives up their places at other villages' rencontres still to come
    (flushes): returns how many, for the admin's message."""
    if status != AccountStatus.ACTIVE and _is_last_admin(account):
        raise AccountError(_("Impossible : c'est le dernier administrateur actif du nœud."),
                           field="status")
    disabled = account.status == AccountStatus.ACTIVE and status == AccountStatus.DISABLED
    account.status = status.value
    if not disabled or account.member is None:
        return 0
    from node.services.answers_elsewhere import withdraw_deactivated

    return withdraw_deactivated(account.member)

"""Coordinator accounts: creation and password checks (hashes only, never the password)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from directory.extensions import db
from directory.models import Coordinator
from directory.services.wording import _

MIN_PASSWORD_LENGTH = 10


class CoordinatorError(ValueError):
    """An account operation was refused; the message says why (French)."""


def find_coordinator(email: str) -> Coordinator | None:
    return db.session.scalars(
        select(Coordinator).where(Coordinator.email == email.strip().lower())).first()


def create_coordinator(email: str, password: str, name: str = "") -> Coordinator:
    """Add a coordinator account (committed)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise CoordinatorError(_("Adresse électronique invalide."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CoordinatorError(_("Le mot de passe doit contenir au moins %(n)s caractères.",
                                 n=MIN_PASSWORD_LENGTH))
    if find_coordinator(email) is not None:
        raise CoordinatorError(_("Un compte existe déjà avec cette adresse."))
    account = Coordinator(email=email, name=name.strip()[:120],
                          password_hash=generate_password_hash(password))
    db.session.add(account)
    db.session.commit()
    return account


def authenticate(email: str, password: str) -> Coordinator | None:
    """The active account with this email and password, or None."""
    account = find_coordinator(email)
    if account is None or not account.active:
        return None
    return account if check_password_hash(account.password_hash, password) else None

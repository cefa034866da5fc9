"""API tokens: created by an admin, shown once, then known to the node only by their hash.

A token is a bearer secret for programs (a town hall's website, a script that imports the
village's agenda). The node keeps the SHA-256 of it, so a stolen database or backup cannot be
replayed against the API; losing a token means revoking it and creating another.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from node.extensions import db
from node.models import Account, ApiToken, utcnow

PREFIX = "chl_"  # lets secret scanners and people recognise a Chaleur token
MAX_NAME = 80
MAX_SECRET = 200  # anything longer is not one of ours; never hash megabytes of header
# "Last used" is for people deciding what to revoke: to the minute is enough, and a script
# calling in a loop must not turn every read into a database write.
USE_RECORD_INTERVAL = timedelta(minutes=1)


class TokenInvalid(ValueError):
    """A token operation was refused; the message is French and shown beside the field."""


@dataclass(frozen=True)
class NewToken:
    """A freshly created token and its secret, which exists nowhere else after this answer."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(account: Account, name: str) -> NewToken:
    """Add a token for ``account`` (flushed, not committed); the secret is returned once."""
    name = " ".join(name.split())
    if not name:
        raise TokenInvalid(_("Donnez un nom au jeton (ex. « Site de la mairie »)."))
    if len(name) > MAX_NAME:
        raise TokenInvalid(_("%(n)s caractères au plus.", n=MAX_NAME))
    if not name.isprintable():
        raise TokenInvalid(_("Le nom contient des caractères invisibles ou interdits."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(account_id=account.id, name=name, token_hash=token_hash(secret))
    db.session.add(token)
    db.session.flush()
    return NewToken(token, secret)


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, its use recorded; None when unknown or revoked.

    Whether its account may still act (active, role) is the caller's decision: a known token
    of a disabled account is a 403, not a 401.
    """
    if not secret or len(secret) > MAX_SECRET:
        return None
    wanted = token_hash(secret)
    token: ApiToken | None = db.session.scalars(
        db.select(ApiToken).where(ApiToken.token_hash == wanted)).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORD_INTERVAL:
        token.last_used_at = now
        db.session.flush()  # the caller commits (the API does, before answering)
    return token


def revoke_token(token: ApiToken) -> None:
    """Refuse this token from now on (flushed; the caller commits); the row stays so the list
    shows its history."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def find_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def list_tokens() -> list[ApiToken]:
    """Every token, live ones first, newest first."""
    return list(db.session.scalars(
        db.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                     ApiToken.created_at.desc(), ApiToken.id.desc())))

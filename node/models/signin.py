"""Signing in elsewhere in the network with this node's account (this node as the OpenID
Connect provider): the authorization codes waiting for their site, and the consents given."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow


class SignInCode(db.Model):  # type: ignore[name-defined,misc]
    """An authorization code, kept as its SHA-256 only, usable once for CODE_LIFETIME."""

    __tablename__ = "sign_in_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(63))
    redirect_uri: Mapped[str] = mapped_column(String(512))
    scope: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(128), index=True)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)


class SignInConsent(db.Model):  # type: ignore[name-defined,misc]
    """A member agreed that this site (a client id: a node id of the network) learns what
    the consent page showed; asked once per site."""

    __tablename__ = "sign_in_consent"
    __table_args__ = (UniqueConstraint("account_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(63))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
